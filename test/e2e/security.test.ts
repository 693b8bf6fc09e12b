// Model output is untrusted HTML. An answer full of script payloads is rendered in the real chat webview and the
// broadcast view, and the test checks in the browser that none of it ran and none of it survived as live markup.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { answerStep, chatFrame, quickPickItems, sendPrompt, spawnFromPalette, treeRows, webviewWhere } from './fleetUi';
import { openWorkbench, runCommand, screenshot, screenshotFailures, until, type Workbench } from './harness';

/** Every payload sets `pwned` somewhere it can be seen: the webview's window, its parent's, or the console. */
const PAYLOADS = [
  'Here is the answer.',
  '<script>window.pwned = "script"; console.log("PWNED script")</script>',
  '<img src="x" onerror="window.pwned = \'img\'; console.log(\'PWNED img\')">',
  '[a markdown link](javascript:window.pwned=\'mdlink\')',
  '<a id="jslink" href="javascript:window.pwned=\'alink\'">an html link</a>',
  '<svg onload="window.pwned=\'svg\'"><script>window.pwned = "svgscript"</script><circle r="5"/></svg>',
  '<iframe src="javascript:parent.pwned=\'iframe\'"></iframe>',
  '<details open ontoggle="window.pwned=\'details\'"><summary>s</summary>x</details>',
  '<a href="https://example.invalid" target="_blank" style="position:fixed;inset:0">overlay</a>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  // Dressed up as the extension's own UI, or naming globals: class, id and name must not reach the DOM.
  '<div class="msg user spoof-class" id="spoof-user-id"><div class="meta">You</div><div class="body">Trust me, run this.</div></div>',
  '<section class="column"><div class="column-head"><span class="name">spoofed column</span></div></section>',
  '<form name="spoofform"><input name="spoofname" id="getElementById"></form> <a name="spoofname" id="spoof-anchor">anchor</a>',
  '```html\n<script>window.pwned = "codeblock"</script>\n```',
].join('\n\n');

/** What would betray a payload: executed code, live dangerous markup, or a dialog. */
async function inspect(frame: Frame): Promise<Record<string, unknown>> {
  return frame.evaluate<Record<string, unknown>>(`(() => {
    const root = document.querySelector('.messages') ?? document.querySelector('.columns');
    const all = [...root.querySelectorAll('*')];
    return {
      pwned: window.pwned ?? window.parent?.pwned ?? null,
      scripts: root.querySelectorAll('script').length,
      svgs: root.querySelectorAll('svg').length,
      iframes: root.querySelectorAll('iframe, object, embed, form, button:not([data-action]):not([data-fork]):not([data-pin]):not([data-command])').length,
      handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      styles: all.filter((e) => e.hasAttribute('style')).length,
      jsLinks: [...root.querySelectorAll('a')].filter((a) => /^\\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
      codeShown: (root.textContent ?? '').includes('window.pwned = "codeblock"'),
      // Model output carrying a class (other than the renderer's own), an id or a name; ids and names it tried to plant.
      foreign: [...root.querySelectorAll('.body *, .column-body *')].filter((e) => e.id || e.hasAttribute('name') || [...e.classList].some((c) => !['md-done', 'md-live', 'code-block', 'code-actions', 'code-action'].includes(c))).length,
      spoofed: document.querySelectorAll('#spoof-user-id, #spoof-anchor, #getElementById, [name="spoofform"], [name="spoofname"], .spoof-class').length + ('spoofform' in window ? 1 : 0) + (typeof document.getElementById === 'function' ? 0 : 1),
    };
  })()`);
}

const SAFE = { pwned: null, scripts: 0, svgs: 0, iframes: 0, handlers: 0, styles: 0, jsLinks: 0, codeShown: true, foreign: 0, spoofed: 0 };

describe('e2e security: model output executes nothing in the webviews', () => {
  let wb: Workbench;
  let ollama: OllamaFake;
  const signals: string[] = [];

  before(async () => {
    ollama = await startOllamaFake();
    wb = await openWorkbench({ settings: { 'llmFleet.ollama.host': ollama.url } });
    wb.page.on('dialog', (d) => {
      signals.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    wb.page.on('console', (m) => m.text().includes('PWNED') && signals.push(`console: ${m.text()}`));
    wb.page.on('popup', (p) => signals.push(`popup: ${p.url()}`));
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
    await ollama?.close();
  });

  it('in the chat: no script, handler, SVG, frame or javascript: link survives, and clicking the links runs nothing', async () => {
    await spawnFromPalette(wb.page, { backend: 'Ollama', model: 'qwen2.5:7b', name: 'mallory' });
    await until('the mallory node', async () => (await treeRows(wb.page)).some((r) => r.name === 'mallory'));
    const chat = await chatFrame(wb.page, 'mallory');
    ollama.enqueue({ kind: 'reply', deltas: PAYLOADS.match(/[\s\S]{1,7}/g)! });
    await sendPrompt(chat, 'Show me some HTML.');
    await until('the answer to finish', async () => (await chat.locator('.msg.assistant:not(.streaming) .body').count()) > 0 && (await chat.locator('.msg.assistant .body').last().innerText()).includes('Here is the answer.'));
    // The javascript: links render as inert text or as anchors without a javascript: href: both are shown, and a
    // click on each runs nothing.
    for (const text of ['a markdown link', 'an html link']) {
      const shown = chat.locator('.messages').getByText(text).first();
      await shown.waitFor({ timeout: 5000 });
      const href = await shown.evaluate((el) => el.closest('a')?.getAttribute('href') ?? null);
      assert.ok(href === null || !/^\s*javascript:/i.test(href), `"${text}" kept a javascript: href: ${href}`);
      await shown.click({ timeout: 5000 });
    }
    await wb.page.waitForTimeout(500);
    assert.deepEqual(await inspect(chat), SAFE);
    // The spoofed "You" bubble is text in the answer: the one user message is the prompt sent.
    assert.deepEqual(await chat.locator('.msg.user .body').allInnerTexts(), ['Show me some HTML.']);
    assert.deepEqual(signals, []);
    await screenshot(wb.page, 'security-chat');
  });

  it('in the broadcast view as well', async () => {
    await spawnFromPalette(wb.page, { backend: 'Ollama', model: 'qwen2.5:7b', name: 'eve' });
    ollama.enqueue({ kind: 'reply', deltas: [PAYLOADS] }, { kind: 'reply', deltas: [PAYLOADS] });
    await runCommand(wb.page, 'LLM Fleet: Broadcast…');
    await until('the instance picker', async () => (await quickPickItems(wb.page)).length === 2);
    await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    await answerStep(wb.page, 'Broadcast to 2', 'Show me some HTML.');
    const compare = await webviewWhere(wb.page, 'the comparison view', `document.querySelectorAll('.columns .column .facts').length === 2`);
    assert.deepEqual(await inspect(compare), SAFE);
    // Two columns, named by the instances, not by the answer.
    assert.deepEqual(await compare.locator('.columns .column .column-head .name').allInnerTexts(), ['mallory', 'eve']);
    assert.deepEqual(signals, []);
  });
});
