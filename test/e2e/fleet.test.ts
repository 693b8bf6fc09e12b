// A user's session in a real workbench, driven from chromium: spawn from the palette, ask and watch the answer stream
// with its cost, fork from the tree's context menu, ask about a selection, broadcast and compare, then Kill All.
// Claude Code instances run the real pinned CLI against the loopback Messages API fake (the CLI's own login is an
// apiKeyHelper in its config dir, as on a machine with a gateway); the Ollama instance talks to the Ollama fake.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { markedPids } from '../../scripts/codeServer.mjs';
import { lastUserText, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { answerStep, chatFrame, instancesViewText, menuEntry, quickPickItems, sendPrompt, spawnFromPalette, treeContextMenu, treeRow, treeRows, webviewWhere } from './fleetUi';
import { openWorkbench, root, runCommand, screenshot, screenshotFailures, until, type Workbench } from './harness';

const CLAUDE_BIN = join(root, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe');
const SAMPLE = 'export function twice(x: number): number {\n  return x * 2;\n}\n\nexport const answer = twice(21);\n';

describe('e2e: a session with the fleet in a real workbench', () => {
  let wb: Workbench;
  let anthropic: AnthropicFake;
  let ollama: OllamaFake;
  let claudeConfig: string;

  /** Live `claude` processes started under this workbench's code-server. */
  const claudeProcesses = () => {
    const binary = realpathSync(CLAUDE_BIN);
    return markedPids(wb.server.dirs.root).filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') === binary;
      } catch {
        return false;
      }
    });
  };

  /** The last answer in a chat: still streaming or not, its meta line and its text. */
  const lastChatAnswer = (frame: Frame) =>
    frame.evaluate<{ streaming: boolean; meta: string; text: string } | undefined>(`(() => {
      const last = [...document.querySelectorAll('.messages .msg.assistant')].at(-1);
      return last ? { streaming: last.classList.contains('streaming'), meta: last.querySelector('.meta')?.textContent ?? '', text: last.querySelector('.body')?.textContent ?? '' } : undefined;
    })()`);

  before(async () => {
    anthropic = await startAnthropicFake({ apiKey: 'sk-ant-e2e-helper' });
    ollama = await startOllamaFake([{ name: 'qwen2.5:7b', contextLength: 32768, family: 'qwen2' }, { name: 'llama3.2:3b', contextLength: 8192, family: 'llama' }]);
    claudeConfig = mkdtempSync(join(tmpdir(), 'llm-fleet-e2e-claude-'));
    writeFileSync(join(claudeConfig, 'settings.json'), JSON.stringify({ apiKeyHelper: 'echo sk-ant-e2e-helper' }));
    wb = await openWorkbench({
      files: { 'src/sample.ts': SAMPLE },
      settings: { 'llmFleet.ollama.host': ollama.url },
      machineSettings: { 'llmFleet.claudeCode.path': CLAUDE_BIN },
      env: { ANTHROPIC_BASE_URL: anthropic.url, CLAUDE_CONFIG_DIR: claudeConfig, CLAUDE_CODE_MAX_RETRIES: '1', API_TIMEOUT_MS: '15000' },
    });
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
    await anthropic?.close();
    await ollama?.close();
    rmSync(claudeConfig, { recursive: true, force: true });
  });

  it('offers what detection found, then spawns from the palette and shows the node', async () => {
    await until('the welcome view to offer Claude Code and Ollama', async () => {
      const text = await instancesViewText(wb.page);
      return text.includes('Spawn a Claude Code instance') && text.includes('Spawn an Ollama instance');
    });
    await screenshot(wb.page, 'welcome');
    await spawnFromPalette(wb.page, { backend: 'Claude Code', model: 'haiku', name: 'coder' });
    const rows = await until('the coder node', async () => (await treeRows(wb.page)).find((r) => r.name === 'coder'));
    assert.match(rows.description, /^haiku · idle · \$0$/);
  });

  it('asks in the chat and watches the answer stream in, then shows model, tokens, $ and latency', async () => {
    const chat = await chatFrame(wb.page, 'coder');
    const words = Array.from({ length: 40 }, (_, i) => `word${i} `);
    // Slow enough (about 6 s) that a follow-up can be typed and seen waiting while it streams.
    anthropic.enqueue({ kind: 'reply', deltas: words, gapMs: 150, usage: { input_tokens: 12_000, output_tokens: 40 } });
    await sendPrompt(chat, 'Write forty words, slowly.');
    // Part of the answer is on screen while the rest is still coming.
    const partial = await until('a partial answer', async () => {
      const a = await lastChatAnswer(chat);
      return a?.streaming && a.text.includes('word') ? a.text : undefined;
    });
    assert.ok(partial.trim().split(/\s+/).length < words.length, `streamed in parts (first seen: ${partial.length} chars)`);
    // A message sent while the instance answers waits its turn, shown as queued.
    await sendPrompt(chat, 'And one more thing.');
    await until('the queued message', async () => (await chat.locator('.queued .queued-item').allInnerTexts()).some((t) => t.includes('And one more thing.')));
    const done = await until('the finished answer', async () => {
      const a = await chat.evaluate<{ meta: string; text: string } | undefined>(`(() => {
        const first = [...document.querySelectorAll('.messages .msg.assistant:not(.streaming)')][0];
        return first ? { meta: first.querySelector('.meta')?.textContent ?? '', text: first.querySelector('.body')?.textContent ?? '' } : undefined;
      })()`);
      return a;
    }, 30_000);
    assert.equal(done.text.trim(), words.join('').trim());
    assert.match(done.meta, /claude-haiku-\S+ · 12,000 in · 40 out/);
    assert.match(done.meta, /\$0\.\d+/);
    assert.match(done.meta, /\d+\.\d\d s/);
    const second = await until('the queued message to be answered', async () => {
      const a = await lastChatAnswer(chat);
      return a && !a.streaming && a.text.includes('And one more thing.') ? a : undefined;
    }, 30_000);
    assert.equal(await chat.locator('.queued .queued-item').count(), 0, 'nothing left in the queue');
    assert.match(second.meta, /\$0\.\d+/);
    const header = await chat.locator('.chat-header .totals').innerText();
    assert.match(header, /\d{2},\d{3} in · \d+ out .*\$0\.\d+/);
    await until('the tree to show coder idle with nothing queued', async () => (await treeRows(wb.page)).find((r) => r.name === 'coder')?.description.match(/· idle · \$/));
    await screenshot(wb.page, 'chat');
  });

  it('forks from the tree’s context menu and shows the child under its parent', async () => {
    await treeContextMenu(wb.page, 'coder', 'Fork…');
    await answerStep(wb.page, 'Fork coder', 'coder-fork');
    await answerStep(wb.page, 'Fork coder (2/3)');
    await answerStep(wb.page, 'Fork coder (3/3)');
    const rows = await until('the child under coder', async () => {
      const r = await treeRows(wb.page);
      const i = r.findIndex((x) => x.name === 'coder');
      return i >= 0 && r[i + 1]?.name === 'coder-fork' && r[i + 1].level === r[i].level + 1 ? r : undefined;
    });
    assert.match(rows.find((r) => r.name === 'coder-fork')!.description, /· idle · \$0$/, 'the fork starts at $0: its context was the parent’s spend');
    // The child inherited the conversation: its first answer's request carries the parent's exchange.
    const chat = await chatFrame(wb.page, 'coder-fork');
    await sendPrompt(chat, 'What did you write before?');
    await until('the fork to answer', async () => (await lastChatAnswer(chat))?.text.includes('What did you write before?'), 30_000);
    const body = anthropic.messageRequests().at(-1)!.body;
    assert.ok(JSON.stringify(body.messages).includes('word39'), 'the fork’s request carries the parent’s answer');
    await until('the fork to be idle again', async () => (await treeRows(wb.page)).find((r) => r.name === 'coder-fork')?.description.includes('· idle ·'));
    await screenshot(wb.page, 'tree');
  });

  it('asks about the editor selection from the context menu and shows the answer in that instance’s chat', async () => {
    await wb.page.keyboard.press('Control+P');
    await wb.page.locator('.quick-input-widget .quick-input-box input').fill('sample.ts');
    await until('sample.ts in Go to File', async () => (await quickPickItems(wb.page)).some((l) => l.includes('sample.ts')));
    await wb.page.keyboard.press('Enter');
    const editor = wb.page.locator('.editor-instance .monaco-editor .view-lines');
    await editor.waitFor();
    await editor.locator('.view-line').first().click();
    await wb.page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Shift+ArrowDown');
    await editor.click({ button: 'right', position: { x: 40, y: 8 } });
    await menuEntry(wb.page, 'Ask About Selection…');
    await answerStep(wb.page, 'Ask About Selection', 'coder-fork');
    await answerStep(wb.page, 'about the selection', 'What does this do?');
    const chat = await chatFrame(wb.page, 'coder-fork');
    await until('the selection answer in the chat', async () => (await lastChatAnswer(chat))?.text.includes('What does this do?'), 30_000);
    const sent = lastUserText(anthropic.messageRequests().at(-1)!.body);
    assert.match(sent, /From `src\/sample\.ts` \(typescript, lines 1-3\)/);
    assert.ok(sent.includes('export function twice(x: number): number {\n  return x * 2;\n}'), 'the selected code is sent');
    assert.ok(!sent.includes('twice(21)'), 'only the selection');
  });

  it('lists the models an Ollama server really has, and broadcasts to three instances side by side', async () => {
    await runCommand(wb.page, 'LLM Fleet: Spawn Instance…');
    await answerStep(wb.page, 'Spawn Instance (1/6)', 'Ollama');
    const models = await until('the Ollama models', async () => {
      const items = await quickPickItems(wb.page);
      return items.length >= 2 ? items : undefined;
    });
    // The server's models, then the router's choice, offered last so Enter still takes a real model.
    assert.deepEqual(models.slice(0, -1).map((m) => m.split(',')[0]).sort(), ['llama3.2:3b', 'qwen2.5:7b']);
    assert.match(models.at(-1)!, /Auto \(router\)/);
    await answerStep(wb.page, 'Spawn Instance (2/6)', 'qwen2.5:7b');
    await answerStep(wb.page, 'Spawn Instance (3/6)'); // fallback chain: the global one
    await answerStep(wb.page, 'Spawn Instance (4/6)', 'local');
    await answerStep(wb.page, 'Spawn Instance (5/6)');
    await answerStep(wb.page, 'Spawn Instance (6/6)');
    await until('the local node', async () => (await treeRows(wb.page)).some((r) => r.name === 'local'));

    // The comparison gets the whole editor area.
    await runCommand(wb.page, 'View: Close All Editor Groups');
    await runCommand(wb.page, 'LLM Fleet: Broadcast…');
    await until('the instance picker', async () => (await quickPickItems(wb.page)).length === 3);
    await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    await answerStep(wb.page, 'Broadcast to 3', 'Name one prime number.');
    const compare = await webviewWhere(wb.page, 'the comparison view', `document.querySelectorAll('.columns .column').length === 3`);
    const columns = await until('three finished columns', async () => {
      const cols = await compare.evaluate<Array<{ name: string; facts: string; text: string }>>(`[...document.querySelectorAll('.columns .column')].map((c) => ({
        name: c.querySelector('.name')?.textContent ?? '', facts: c.querySelector('.facts')?.textContent ?? '', text: c.querySelector('.column-body')?.textContent ?? '' }))`);
      return cols.every((c) => c.facts) ? cols : undefined;
    }, 45_000);
    assert.deepEqual(columns.map((c) => c.name), ['coder', 'coder-fork', 'local']);
    for (const c of columns) {
      assert.match(c.text, /prime number/, `${c.name} answered`);
      assert.match(c.facts, /\d+\.\d\d s/, `${c.name} shows its latency`);
      assert.match(c.facts, /\d in · \d+ out/, `${c.name} shows its tokens`);
    }
    assert.match(columns[2].facts, /\$0 \(local\)/);
    assert.match(columns[0].facts, /\$0\.\d+/);
    await until('every node idle again', async () => (await treeRows(wb.page)).every((r) => r.description.includes('· idle ·')));
    await screenshot(wb.page, 'compare');
  });

  it('Kill All empties the tree, brings the welcome view back, and leaves no claude process', async () => {
    assert.ok(claudeProcesses().length >= 2, 'the two Claude Code instances run their own processes');
    await runCommand(wb.page, 'LLM Fleet: Kill All');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Kill all 3 instance\(s\)\?/);
    await dialog.locator('.monaco-button').filter({ hasText: 'Kill All' }).click();
    await until('an empty tree', async () => (await treeRows(wb.page)).length === 0 && (await instancesViewText(wb.page)).includes('No instances yet'));
    await until('no claude process left', async () => claudeProcesses().length === 0);
    assert.equal(await treeRow(wb.page, 'coder').count(), 0);
    await screenshot(wb.page, 'killed-all');
  });
});
