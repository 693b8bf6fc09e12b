// The chat webview's protocol in the real host (the webview's script really runs: it must post `ready` before the
// host sends anything), asking about the editor selection, and Fleet state surviving a reload.
import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import { OllamaBackend } from '../../../src/core/backends/ollama';
import { Fleet } from '../../../src/core/fleet';
import { FileStore } from '../../../src/core/store';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { HostMessage, WebviewMessage } from '../../../src/webview/chat/protocol';
import { lastUserText } from '../../fixtures/anthropicFake';
import { extensionApi, OLLAMA_MODEL, startFakes, until, type Fakes } from './support';

describe('chat, selection and reload', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
  });
  afterEach(async () => {
    await api.killAll();
    await hooks.secrets.delete('anthropic');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await fakes?.close();
  });

  it('the chat webview says ready, gets the transcript, then a streamed turn coalesced into a few posts, with cost', async () => {
    await api.spawn('chatty', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
    const received: WebviewMessage['type'][] = [];
    const posted: Array<{ message: HostMessage; delivered: boolean }> = [];
    const panel = hooks.chats.open('chatty');
    panel.onDidHandleMessage((m) => received.push(m.type));
    panel.onDidPost((p) => posted.push(p));
    await until('the webview to post ready and get didLoad', () => received.includes('ready') && posted.some((p) => p.message.type === 'didLoad' && p.delivered));

    const words = Array.from({ length: 400 }, (_, i) => `word${i} `);
    fakes.anthropic.enqueue({ kind: 'reply', deltas: words, usage: { input_tokens: 1200, output_tokens: 400 }, model: 'claude-haiku-4-5-20251001' });
    const answer = await api.ask('chatty', 'Tell me four hundred words.');
    await until('didCompleteTurn to be delivered', () => posted.some((p) => p.message.type === 'didCompleteTurn' && p.delivered));

    const types = posted.map((p) => p.message.type);
    assert.ok(types.includes('didStartTurn') && types.indexOf('didStartTurn') < types.indexOf('didCompleteTurn'), types.join(', '));
    const streams = posted.filter((p) => p.message.type === 'didStream');
    assert.ok(streams.length >= 1 && streams.length < 100, `400 deltas arrive in a few coalesced posts, got ${streams.length}`);
    assert.equal(streams.map((p) => (p.message as { text: string }).text).join(''), answer.text, 'nothing lost or doubled');
    assert.ok(posted.every((p) => p.delivered), 'the webview took every message');
    const done = posted.find((p) => p.message.type === 'didCompleteTurn')!.message as Extract<HostMessage, { type: 'didCompleteTurn' }>;
    assert.equal(done.message.model, 'claude-haiku-4-5-20251001');
    assert.deepEqual(done.message.tokens, { input: 1200, output: 400, cacheRead: 0, cacheWrite: 0 });
    assert.match(done.message.cost ?? '', /^\$0\.00\d+$/, `a priced answer, got ${done.message.cost}`);
  });

  it('a killed instance’s chat says so and stays readable', async () => {
    await api.spawn('doomed', { backend: 'ollama', model: OLLAMA_MODEL });
    const posted: HostMessage[] = [];
    const panel = hooks.chats.open('doomed');
    panel.onDidPost((p) => posted.push(p.message));
    await until('didLoad', () => posted.some((m) => m.type === 'didLoad'));
    await api.kill('doomed');
    const end = await until('didEnd', () => posted.find((m) => m.type === 'didEnd'));
    assert.match((end as { reason: string }).reason, /'doomed' was killed/);
  });

  it('asks about the editor selection with its file, language and line range, and opens that instance’s chat', async () => {
    await api.spawn('reviewer', { backend: 'ollama', model: OLLAMA_MODEL });
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'sample.ts');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('const a = 1;\nfunction twice(x: number) {\n  return x * 2;\n}\n'));
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(1, 0, 3, 1);
    const answer = await vscode.commands.executeCommand<{ text: string }>('llmFleet.askAboutSelection', 'reviewer', 'What does this do?');
    assert.ok(answer?.text, 'an answer came back');
    const sent = lastUserText({ messages: fakes.ollama.chatRequests().at(-1)!.body.messages });
    assert.match(sent, /What does this do\?/);
    assert.match(sent, /sample\.ts/);
    assert.match(sent, /lines 2[–-]4/);
    assert.match(sent, /```typescript\nfunction twice\(x: number\) \{\n {2}return x \* 2;\n\}\n```/);
    assert.ok(hooks.chats.find('reviewer'), 'the chat of the instance asked is open');
    assert.ok(!sent.includes('const a = 1'), 'only the selection is sent');
  });

  it('instances, transcripts, lineage and cost survive a reload of the Fleet from its storage', async () => {
    await api.spawn('keeper', { backend: 'ollama', model: OLLAMA_MODEL, systemPrompt: 'Be brief.' });
    await api.ask('keeper', 'First question');
    await api.fork('keeper', 'keeper-fork');
    await hooks.fleet.flush();

    const reloaded = new Fleet({ backends: [new OllamaBackend({ host: fakes.ollama.url })], store: new FileStore(hooks.storagePath) });
    try {
      const { restored, problems } = await reloaded.restore();
      assert.deepEqual(problems, []);
      assert.deepEqual(restored.sort(), ['keeper', 'keeper-fork']);
      const before = api.status('keeper');
      const after = reloaded.status('keeper');
      assert.equal(after.messageCount, before.messageCount);
      assert.deepEqual(after.usage, before.usage);
      assert.equal(reloaded.status('keeper-fork').lineage?.parent, 'keeper');
      assert.deepEqual(reloaded.get('keeper').transcript.map((m) => m.text), hooks.fleet.get('keeper').transcript.map((m) => m.text));
      // The restored instance carries on the same conversation.
      await reloaded.ask('keeper', 'Second question');
      const messages = fakes.ollama.chatRequests().at(-1)!.body.messages.map((m: { role: string; content: string }) => `${m.role}: ${m.content}`);
      assert.equal(messages[0], 'system: Be brief.');
      assert.equal(messages[1], 'user: First question');
      assert.equal(messages.at(-1), 'user: Second question');
    } finally {
      await reloaded.shutdown();
      reloaded.dispose();
    }
  });
});
