// The usage dashboard in a real workbench: answers from the Ollama fake plus priced and unpriced records added to the
// extension's ledger file (as another window would), the page opened from the palette and from the status bar,
// its figures checked against the ledger file, the chart drawn on its canvas, no CSP violation, and screenshots in
// the dark and the light theme.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import type { LedgerRecord } from '../../src/core/cost/ledger';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { chatFrame, spawnFromPalette, treeRows, webviewWhere } from './fleetUi';
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

const usd = (v: number) => (v === 0 ? '$0' : Math.abs(v) < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toFixed(Math.abs(v) < 1 ? 4 : 2)}`);

describe('e2e usage dashboard', () => {
  let wb: Workbench;
  let ollama: OllamaFake;
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

  const dashboard = (): Promise<Frame> => webviewWhere(wb.page, 'the usage dashboard', `document.body.dataset.loaded === 'true' && !!document.querySelector('canvas.spend-chart')`);
  const figure = (f: Frame, name: string) => f.locator(`.card[data-figure="${name}"] .card-value`).innerText();

  before(async () => {
    ollama = await startOllamaFake();
    wb = await openWorkbench({ settings: { 'llmFleet.ollama.host': ollama.url, 'workbench.colorTheme': 'Default Dark Modern', 'llmFleet.budget.dailyUsd': 5 } });
    wb.page.on('console', (m) => logs.push(m.text()));
    ledgerFile = join(wb.server.dirs.userDataDir, 'User/globalStorage/llm-fleet.llm-fleet/ledger', `ledger-${monthKey()}.jsonl`);
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
    await ollama?.close();
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
    await runCommand(wb.page, 'Preferences: Color Theme');
    const themeInput = wb.page.locator('.quick-input-widget .quick-input-box input');
    // Listed as "Light Modern" (the setting's value is "Default Light Modern").
    await themeInput.fill('Light Modern');
    await until('the light theme in the list', async () => (await wb.page.locator('.quick-input-list .monaco-list-row[aria-label*="Light Modern"]').count()) > 0);
    await themeInput.press('Enter');
    await until('the light theme in the dashboard', async () => page.evaluate(`document.body.classList.contains('vscode-light')`), 30_000);
    await wb.page.waitForTimeout(500);
    assert.ok((await drawn()).painted > 500);
    assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
    await screenshot(wb.page, 'dashboard-light');
  });

  it('the status bar item opens the dashboard, and a top request opens its chat', async () => {
    await runCommand(wb.page, 'View: Close All Editors');
    const open = async (probe: string) => {
      for (const f of wb.page.frames()) if (await f.evaluate(probe).catch(() => false)) return true;
      return false;
    };
    await until('every editor to close', async () => !(await open(`!!document.querySelector('canvas.spend-chart') || !!document.querySelector('.chat-header')`)));
    await wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'today' }).first().click();
    const page = await dashboard();
    assert.equal(await page.evaluate('document.body.dataset.cspViolations ?? null'), null);
    await until('the top requests', async () => (await page.locator('.top-requests button[data-instance="ada"]').count()) > 0);
    await page.locator('.top-requests button[data-instance="ada"]').first().click();
    await chatFrame(wb.page, 'ada');
    assert.equal(await page.locator('.notice').innerText().catch(() => ''), '');
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
    assert.equal(lines[0].split(',')[0], 'time');
    assert.equal(lines.length, 1 + all.length);
  });
});
