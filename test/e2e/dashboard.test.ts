// The usage dashboard in a real workbench: answers from the Ollama fake plus priced and unpriced records added to the
// extension's ledger file (as another window would), the page opened from the palette and from the status bar,
// its figures checked against the ledger file, the chart drawn on its canvas, no CSP violation, and screenshots in
// the dark, the light and the high contrast theme (where the chart's and gauges' colours are checked against the
// theme and the text's contrast measured). A top request opens its chat scrolled to that answer, highlighted; one
// whose answer is not here says so.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import type { LedgerRecord } from '../../src/core/cost/ledger';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake, type OpenAiFake } from '../fixtures/openaiFake';
import { chatFrame, sendPrompt, spawnFromPalette, treeRows, webviewWhere } from './fleetUi';
import { openWorkbench, runCommand, screenshot, screenshotFailures, until, type Workbench } from './harness';

const pad = (n: number) => String(n).padStart(2, '0');
const monthKey = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
const todayStart = () => new Date(new Date().setHours(0, 0, 0, 0)).getTime();

function seeded(at: number, o: Partial<LedgerRecord>): LedgerRecord {
  return {
    v: 1, at, instance: 'ada', tree: 'ada', backend: 'anthropic', model: 'claude-sonnet-4-5', askId: `seed-${at}`, attempt: 0,
    input: 1000, output: 200, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, basis: 'table', priceVersion: 'e2e', latencyMs: 900, outcome: 'ok', ...o,
  };
}

const PRICED_MODEL = 'fleet-priced';

interface HcReport {
  palette: string[];
  paletteFromTheme: boolean;
  paletteContrast: number;
  seriesVar: string;
  borderVar: string;
  border: string;
  seriesPixels: number;
  borderPixels: number;
  seriesContrast: number;
  borderContrast: number;
  gaugeBorder: string;
  cellBorder: string;
  text: Record<string, number>;
  vars: Record<string, string>;
  pressed: string;
  unpressed: string;
}

/**
 * Run in the dashboard page: the theme's chart and border colours, how many canvas pixels are painted in each, and
 * the WCAG contrast of every kind of text against the first opaque background behind it. Colours are normalised
 * through a 1×1 canvas, so `#6fc3df` and `rgb(111, 195, 223)` compare equal.
 */
const HC_PROBE = `(() => {
  const root = getComputedStyle(document.documentElement);
  const canvas = document.querySelector('canvas.spend-chart');
  const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgba = (c) => { probe.clearRect(0, 0, 1, 1); probe.fillStyle = '#000'; probe.fillStyle = c; probe.fillRect(0, 0, 1, 1); return [...probe.getImageData(0, 0, 1, 1).data]; };
  const key = (c) => rgba(c).slice(0, 3).join(',');
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const contrast = (a, b) => { const [x, y] = [lum(rgba(a)), lum(rgba(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = (e) => { for (let n = e; n; n = n.parentElement) { const c = getComputedStyle(n).backgroundColor; if (rgba(c)[3] === 255) return c; } return getComputedStyle(document.body).backgroundColor; };
  const themeColours = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'].map((n) => '--vscode-charts-' + n)
    .concat(['Yellow', 'Magenta', 'Cyan', 'Red'].map((n) => '--vscode-terminal-ansiBright' + n))
    .map((n) => root.getPropertyValue(n).trim()).filter(Boolean).map(key);
  const palette = (canvas.dataset.palette ?? '').split(' ').filter(Boolean);
  const seriesVar = palette[0] ?? '';
  const borderVar = root.getPropertyValue('--vscode-contrastBorder').trim();
  const bg = getComputedStyle(document.body).backgroundColor;
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const near = (i, [r, g, b]) => Math.abs(d[i] - r) <= 2 && Math.abs(d[i + 1] - g) <= 2 && Math.abs(d[i + 2] - b) <= 2 && d[i + 3] === 255;
  const s = rgba(seriesVar || '#0000'), o = rgba(borderVar || '#0000');
  let seriesPixels = 0, borderPixels = 0;
  for (let i = 0; i < d.length; i += 4) { if (near(i, s)) seriesPixels++; else if (near(i, o)) borderPixels++; }
  const text = {};
  for (const [what, sel] of Object.entries({ card: '.card-label', figure: '.card-value', gauge: '.gauge-text', cell: 'table.breakdown td', header: 'table.breakdown th', caption: 'caption', period: 'button.period[aria-pressed="false"]', chosen: 'button.period[aria-pressed="true"]', action: '.actions button', link: '.top-requests button.link', title: '.dash-title', heading: 'h2' })) {
    const e = document.querySelector(sel);
    if (e) text[what] = contrast(getComputedStyle(e).color, behind(e));
  }
  // What the eye gets: the fill behind it (a transparent button shows its parent's), outline, border, weight, underline.
  const look = (e) => { const c = getComputedStyle(e); return [key(behind(e)), c.outlineStyle === 'none' ? 'none' : c.outlineStyle + ' ' + key(c.outlineColor), key(c.borderTopColor), c.fontWeight, c.textDecorationLine].join(' / '); };
  const vars = {};
  for (const n of ['blue', 'orange', 'green', 'purple', 'red', 'yellow', 'foreground', 'lines']) vars[n] = root.getPropertyValue('--vscode-charts-' + n).trim();
  for (const n of ['contrastBorder', 'contrastActiveBorder', 'focusBorder', 'button-background', 'button-secondaryBackground']) vars[n] = root.getPropertyValue('--vscode-' + n).trim();
  return {
    palette: palette.map(key), paletteFromTheme: palette.every((c) => themeColours.includes(key(c))),
    paletteContrast: Math.min(...palette.map((c) => contrast(c, bg))),
    seriesVar, borderVar, border: key(borderVar || '#0000'), seriesPixels, borderPixels,
    seriesContrast: contrast(seriesVar || bg, bg), borderContrast: contrast(borderVar || bg, bg),
    gaugeBorder: key(getComputedStyle(document.querySelector('.gauge progress')).borderTopColor),
    cellBorder: key(getComputedStyle(document.querySelector('table.breakdown td')).borderTopColor),
    text,
    vars,
    pressed: look(document.querySelector('button.period[aria-pressed="true"]')),
    unpressed: look(document.querySelector('button.period[aria-pressed="false"]')),
  };
})()`;

const usd = (v: number) => (v === 0 ? '$0' : Math.abs(v) < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toFixed(Math.abs(v) < 1 ? 4 : 2)}`);

describe('e2e usage dashboard', () => {
  let wb: Workbench;
  let ollama: OllamaFake;
  let openai: OpenAiFake;
  const logs: string[] = [];
  let ledgerFile: string;

  const ledgerToday = (): LedgerRecord[] =>
    readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerRecord).filter((r) => r.at >= todayStart());

  async function ask(name: string, text: string): Promise<void> {
    const chat = await chatFrame(wb.page, name);
    const before = await chat.locator('.msg.assistant:not(.streaming)').count();
    ollama.enqueue({ kind: 'reply', deltas: ['An ', 'answer.'] });
    await chat.locator('textarea.prompt').fill(text);
    await chat.locator('textarea.prompt').press('Enter');
    await until('the answer', async () => (await chat.locator('.msg.assistant:not(.streaming)').count()) > before, 30_000);
  }

  /** Switches the colour theme from the palette, as a user does, and waits until the dashboard page has it. */
  async function setTheme(page: Frame, label: string, probe: string): Promise<void> {
    await runCommand(wb.page, 'Preferences: Color Theme');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(label);
    await until(`the theme "${label}" in the list`, async () => (await wb.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${label}"]`).count()) > 0);
    await input.press('Enter');
    await until(`the theme "${label}" in the dashboard`, async () => page.evaluate(probe), 30_000);
    await wb.page.waitForTimeout(500); // the redraw after the theme's variables changed
  }

  const dashboard = (): Promise<Frame> => webviewWhere(wb.page, 'the usage dashboard', `document.body.dataset.loaded === 'true' && !!document.querySelector('canvas.spend-chart')`);
  const figure = (f: Frame, name: string) => f.locator(`.card[data-figure="${name}"] .card-value`).innerText();

  before(async () => {
    ollama = await startOllamaFake();
    openai = await startOpenAiFake([PRICED_MODEL]);
    wb = await openWorkbench({
      settings: {
        'llmFleet.ollama.host': ollama.url,
        'llmFleet.openai.baseUrl': openai.baseURL,
        // $100 and $500 per million tokens: a priced model of our own, so real answers top the dashboard's list.
        'llmFleet.openai.prices': { [PRICED_MODEL]: { input: 100, output: 500 } },
        'workbench.colorTheme': 'Default Dark Modern',
        'llmFleet.budget.dailyUsd': 5,
      },
    });
    wb.page.on('console', (m) => logs.push(m.text()));
    ledgerFile = join(wb.server.dirs.userDataDir, 'User/globalStorage/llm-fleet.llm-fleet/ledger', `ledger-${monthKey()}.jsonl`);
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
    await ollama?.close();
    await openai?.close();
  });

  it('shows the ledger figures, draws the chart under the CSP, and follows the theme', async () => {
    await spawnFromPalette(wb.page, { backend: 'Ollama', model: 'qwen2.5:7b', name: 'ada' });
    await until('the ada node', async () => (await treeRows(wb.page)).some((r) => r.name === 'ada'));
    await ask('ada', 'Hello?');
    await until('the ledger file', async () => existsSync(ledgerFile));
    // Records another window wrote: two priced (one with cache savings), one a price nobody knows.
    const now = Date.now();
    const extra = [
      seeded(now - 3000, { usd: 0.5, savedUsd: 0.2, cacheRead: 3000 }),
      seeded(now - 2000, { usd: 0.25, savedUsd: 0 }),
      seeded(now - 1000, { backend: 'openai', model: 'mystery-model', basis: 'unpriced' }),
    ];
    appendFileSync(ledgerFile, extra.map((r) => JSON.stringify(r) + '\n').join(''));
    // The status bar follows the next turn, and reads the ledger (so it counts the seeded records too).
    await ask('ada', 'Again?');
    const spend = wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'today' });
    await until('the spend item', async () => /\$0\.75 \/ \$5\.00 today\+/.test(await spend.first().innerText()));

    await runCommand(wb.page, 'LLM Fleet: Usage Dashboard');
    const page = await dashboard();
    const records = ledgerToday();
    const priced = records.reduce((s, r) => s + (r.usd ?? 0), 0);
    const unpriced = records.filter((r) => r.basis === 'unpriced').length;
    const saved = records.reduce((s, r) => s + (r.savedUsd ?? 0), 0);
    const prompt = records.reduce((s, r) => s + r.input + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead, 0);
    const reads = records.reduce((s, r) => s + r.cacheRead, 0);
    assert.equal(unpriced, 1);
    assert.equal(await figure(page, 'spent'), `${usd(priced)} + ${unpriced} unpriced`);
    assert.equal(await figure(page, 'saved'), usd(saved));
    assert.equal(await figure(page, 'hitRate'), `${((reads / prompt) * 100).toFixed(1)}%`);
    assert.equal(await figure(page, 'records'), String(records.length));
    assert.equal(await figure(page, 'unpriced'), '1');
    // The unpriced backend's row says so, never $0.
    const openaiRow = page.locator('table[data-breakdown="backend"] tr').filter({ hasText: 'OpenAI-compatible' });
    assert.equal(await openaiRow.locator('td').nth(1).innerText(), '1 unpriced');
    assert.match(await page.locator('.gauge .gauge-text').innerText(), /^\$0\.7500 of \$5\.00 \(15%\) \+ 1 unpriced$/);
    await until('the top requests', async () => (await page.locator('.top-requests button[data-instance]').count()) === 2);

    const drawn = () =>
      page.evaluate(`(() => {
        const c = document.querySelector('canvas.spend-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return { w: c.width, h: c.height, painted: n };
      })()`) as Promise<{ w: number; h: number; painted: number }>;
    const dark = await drawn();
    assert.ok(dark.w > 100 && dark.h > 100 && dark.painted > 500, `the chart is drawn: ${JSON.stringify(dark)}`);
    assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
    assert.deepEqual(logs.filter((t) => /Content Security Policy|CSP violation/i.test(t)), []);
    await screenshot(wb.page, 'dashboard-dark');

    // The light theme, switched live: the page re-reads the theme's colours and redraws.
    // Listed as "Light Modern" (the setting's value is "Default Light Modern").
    await setTheme(page, 'Light Modern', `document.body.classList.contains('vscode-light')`);
    assert.ok((await drawn()).painted > 500);
    assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
    await screenshot(wb.page, 'dashboard-light');
  });

  it('is readable in the high contrast themes: colours from the theme, outlined, and text with contrast', async () => {
    const page = await dashboard();
    for (const theme of [
      { label: 'Dark High Contrast', probe: `document.body.classList.contains('vscode-high-contrast') && !document.body.classList.contains('vscode-high-contrast-light')`, shot: 'dashboard-hc' },
      { label: 'Light High Contrast', probe: `document.body.classList.contains('vscode-high-contrast-light')`, shot: 'dashboard-hc-light' },
    ]) {
      await setTheme(page, theme.label, theme.probe);
      const hc = (await page.evaluate(HC_PROBE)) as HcReport;
      const at = `(${theme.label}) ${JSON.stringify(hc)}`;
      // One colour per backend, each the theme's own, none twice, each standing out from the background (3:1).
      assert.ok(hc.palette.length >= 3, `a colour for each backend of the range ${at}`);
      assert.equal(new Set(hc.palette).size, hc.palette.length, `no two backends share a colour ${at}`);
      assert.ok(hc.paletteFromTheme, `the colours come from the theme's variables ${at}`);
      assert.ok(hc.paletteContrast >= 3, `every series stands out from the background ${at}`);
      // The first series (Anthropic, seeded today) is drawn in it, outlined in the theme's contrastBorder.
      assert.ok(hc.borderVar, `a high contrast theme defines --vscode-contrastBorder ${at}`);
      assert.ok(hc.seriesPixels > 200, `bars painted in the first series' colour ${at}`);
      assert.ok(hc.borderPixels > 50, `bars outlined in the theme's contrastBorder ${at}`);
      assert.ok(hc.seriesContrast >= 3 && hc.borderContrast >= 3, `the bars and their outline stand out from the background (3:1) ${at}`);
      // Gauges and tables are outlined in the contrast border, and it stands out too.
      assert.equal(hc.gaugeBorder, hc.border, `the gauge's track is outlined in contrastBorder ${at}`);
      assert.equal(hc.cellBorder, hc.border, `table cells are outlined in contrastBorder ${at}`);
      // Every kind of text on the page reads at 4.5:1 against what is behind it.
      for (const [what, ratio] of Object.entries(hc.text)) assert.ok(ratio >= 4.5, `${what} text contrast ${ratio.toFixed(2)} ${at}`);
      assert.ok(Object.keys(hc.text).length >= 8, `every kind of text was found ${at}`);
      // The chosen period is told apart by more than a fill the theme may not have.
      assert.notEqual(hc.pressed, hc.unpressed, `the pressed period looks different ${at}`);
      assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
      await screenshot(wb.page, theme.shot);
    }
  });

  it('a top request opens its chat scrolled to that answer, highlighted; one whose answer is not here says so', async () => {
    // A record from an instance this window never had (another workspace's), priced so it makes the top list.
    appendFileSync(ledgerFile, JSON.stringify(seeded(Date.now() - 500, { instance: 'ghost', tree: 'ghost', askId: 'from-elsewhere', usd: 0.6 })) + '\n');
    // Three long answers from a priced model; the first is the dearest request of the day.
    await spawnFromPalette(wb.page, { backend: 'OpenAI-compatible', model: PRICED_MODEL, name: 'bob' });
    const bob = await chatFrame(wb.page, 'bob');
    const long = (n: number) => Array.from({ length: 60 }, (_, i) => `Line ${i + 1} of answer ${n}.\n\n`);
    openai.enqueue(
      { kind: 'reply', deltas: long(1), usage: { prompt_tokens: 2000, completion_tokens: 1000 } },
      { kind: 'reply', deltas: long(2), usage: { prompt_tokens: 20, completion_tokens: 10 } },
      { kind: 'reply', deltas: long(3), usage: { prompt_tokens: 20, completion_tokens: 10 } },
    );
    for (const [i, q] of ['First?', 'Second?', 'Third?'].entries()) {
      await sendPrompt(bob, q);
      await until(`bob's answer ${i + 1}`, async () => (await bob.locator('.msg.assistant:not(.streaming)').count()) === i + 1, 30_000);
    }
    const dear = ledgerToday().filter((r) => r.instance === 'bob').sort((a, b) => (b.usd ?? 0) - (a.usd ?? 0))[0];
    assert.ok(Math.abs((dear?.usd ?? 0) - 0.7) < 1e-9, `2000 in at $100/M and 1000 out at $500/M: ${JSON.stringify(dear)}`);

    await runCommand(wb.page, 'View: Close All Editors');
    const open = async (probe: string) => {
      for (const f of wb.page.frames()) if (await f.evaluate(probe).catch(() => false)) return true;
      return false;
    };
    await until('every editor to close', async () => !(await open(`!!document.querySelector('canvas.spend-chart') || !!document.querySelector('.chat-header')`)));
    await wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'today' }).first().click();
    const page = await dashboard();
    assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
    const top = page.locator('.top-requests button[data-instance]');
    await until('bob at the top of the requests', async () => (await top.first().getAttribute('data-instance')) === 'bob');
    assert.equal(await top.first().getAttribute('data-ask-id'), dear.askId);
    await top.first().click();
    const chat = await chatFrame(wb.page, 'bob');
    const revealed = chat.locator('.messages > article.revealed');
    await until('the highlighted answer', async () => (await revealed.count()) === 1);
    assert.equal(await revealed.getAttribute('data-id'), dear.askId);
    assert.match(await revealed.innerText(), /Line 60 of answer 1\./);
    const seen = await chat.evaluate(`(() => {
      const list = document.querySelector('.messages');
      const box = list.getBoundingClientRect();
      const shown = (e) => { const r = e.getBoundingClientRect(); return r.top < box.bottom && r.bottom > box.top; };
      const target = list.querySelector(':scope > article.revealed');
      const style = getComputedStyle(target);
      return { target: shown(target), latest: shown(list.lastElementChild), outline: style.outlineStyle + ' ' + style.outlineWidth, focused: document.activeElement === target };
    })()`);
    // In view, while the latest answer (where a chat opens) is not: it scrolled there, and it is marked.
    assert.deepEqual(seen, { target: true, latest: false, outline: 'solid 2px', focused: true });
    await screenshot(wb.page, 'dashboard-reveal');
    assert.equal(await page.locator('.notice').innerText().catch(() => ''), '');

    // 'ada' is here, but that record's answer never was (another window wrote it): its chat opens, and says so.
    const toast = (text: string) => wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
    await page.locator('.top-requests button[data-instance="ada"]').first().click();
    await until('the notice about ada', async () => (await toast("'ada' has no answer for that request").count()) > 0);
    await chatFrame(wb.page, 'ada');
    // 'ghost' is no instance of this window at all.
    await page.locator('.top-requests button[data-instance="ghost"]').click();
    await until('the notice about ghost', async () => (await toast("'ghost' is not in this window's fleet").count()) > 0);
  });

  it('exports the chart range as CSV through the save dialog, one row per record', async () => {
    const page = await dashboard();
    await page.locator('button[data-action="csv"]').click();
    // code-server's own save dialog: a quick input holding the path, with the workspace folder as the default.
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await until('the save dialog', async () => (await input.isVisible()) && /llm-fleet-usage-.*\.csv$/.test(await input.inputValue()));
    const target = join(wb.workspace, 'usage.csv');
    await input.fill(target);
    await input.press('Enter');
    await until('the exported file', async () => existsSync(target), 30_000);
    const lines = readFileSync(target, 'utf8').trimEnd().split('\r\n');
    const all = readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean);
    const header = lines[0].split(',');
    assert.equal(header[0], 'time');
    assert.ok(header.includes('override') && header.includes('estimatedInput'), header.join(','));
    assert.equal(lines.length, 1 + all.length);
    // The records' ask ids, in order: one row for each record, none twice.
    const ask = header.indexOf('askId');
    const inLedger = all.map((l) => JSON.parse(l) as LedgerRecord).sort((a, b) => a.at - b.at).map((r) => r.askId);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[ask]), inLedger);
  });

  it("LLM Fleet: Usage reports today from the same ledger: the dashboard's and the status bar's figure", async () => {
    const page = await dashboard();
    const spent = await figure(page, 'spent');
    const bar = await wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'today' }).first().innerText();
    const priced = ledgerToday().reduce((s, r) => s + (r.usd ?? 0), 0);
    assert.equal(spent, `${usd(priced)} + 1 unpriced`);
    assert.ok(bar.includes(`$${priced.toFixed(2)} / $5.00 today+`), bar);
    // runCommand picks the exact title, not the longer "LLM Fleet: Usage Dashboard" listed first.
    await runCommand(wb.page, 'LLM Fleet: Usage');
    const report = await webviewWhere(wb.page, 'the usage report', `[...document.querySelectorAll('h1')].some((h) => h.textContent.trim() === 'LLM Fleet usage')`);
    const text = await report.locator('body').innerText();
    assert.match(text, new RegExp(`Spent ${spent.replace(/[$.+]/g, (c) => `\\${c}`)}, of the \\$5\\.00 daily cap`), text);
    // Per instance, killed or foreign ones included; the prices' source named (the seeded records' table is "e2e").
    for (const row of ['bob', 'ada', 'ghost (not in this window)']) assert.ok(text.split('\n').some((l) => l.startsWith(row + '\t') || l.startsWith(row + ' ')), `a row for ${row}: ${text}`);
    assert.match(text, /Figures from the usage ledger \(.*ledger\)/);
    assert.match(text, /Prices of this month's records: price table .*e2e \(3 records\)/);
    await screenshot(wb.page, 'usage-report');
  });
});
