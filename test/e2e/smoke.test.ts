// Proves the UI harness: the packaged extension is installed in a real workbench, the palette finds its command,
// and running it shows the extension's output channel.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { editorText, openWorkbench, runCommand, screenshot, until, type Workbench } from './harness';

describe('e2e smoke: packaged extension in a real workbench', () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
  });
  after(async () => {
    await wb?.close();
  });

  it('loads the workbench on the scratch folder', async () => {
    const title = await wb.page.title();
    assert.match(title, /llm-fleet-e2e-ws-/, `the window title names the folder, got "${title}"`);
  });

  it('"LLM Fleet: Show Log" runs from the palette and shows the LLM Fleet output channel', async () => {
    await runCommand(wb.page, 'LLM Fleet: Show Log');
    // The Output panel's channel picker names the channel; its editor shows what activation logged.
    const panel = wb.page.locator('.part.panel');
    await until('the LLM Fleet channel in the Output panel', async () => {
      const picked = await panel.locator('select.monaco-select-box').evaluateAll((els) => els.map((e) => (e as unknown as { selectedOptions: ArrayLike<{ text: string }> }).selectedOptions[0]?.text));
      return picked.includes('LLM Fleet');
    });
    await until('the activation log line', async () => (await editorText(panel)).includes('Restored 0 instance(s)'));
    await screenshot(wb.page, 'e2e-smoke-show-log');
  });
});
