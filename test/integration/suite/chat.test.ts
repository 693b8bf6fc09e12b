// The chat webview's protocol in the real host (the webview's script really runs: it must post `ready` before the
// host sends anything), the webview base's handshake, replies and Stop by ask id, asking about the editor
// selection, and Fleet state surviving a reload. Where a test plays the page's part (a request, a Stop), it hands
// the message to the panel's `receive`, the same entry the real page's messages take.
import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { AskFailedError } from '../../../src/core/instance';
import type { ChatPanel } from '../../../src/vscode/chat/chatPanel';
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

  /** Opens a chat and waits for its page's first load; `posted` records everything posted from then on. */
  async function openLoaded(name: string): Promise<{ panel: ChatPanel; posted: Array<{ message: HostMessage; delivered: boolean }> }> {
    const posted: Array<{ message: HostMessage; delivered: boolean }> = [];
    const panel = hooks.chats.open(name);
    panel.onDidPost((p) => posted.push(p));
    await until(`the chat of ${name} to load`, () => posted.some((p) => p.message.type === 'didLoad' && p.delivered));
    return { panel, posted };
  }

  it('a message posted before the page says ready is held, and arrives after ready, right after the transcript', async () => {
    await api.spawn('early', { backend: 'ollama', model: OLLAMA_MODEL });
    const received: WebviewMessage['type'][] = [];
    const posted: Array<{ message: HostMessage; delivered: boolean }> = [];
    const panel = hooks.chats.open('early');
    panel.onDidHandleMessage((m) => received.push(m.type));
    panel.onDidPost((p) => posted.push(p));
    assert.equal(panel.isReady, false, 'the page has not run yet: its panel was made just now');
    panel.post({ type: 'didFail', message: 'Posted before the page was ready.' });
    assert.equal(posted.length, 0, 'held, not sent into the void');
    await until('the early notice to be delivered', () => posted.some((p) => p.message.type === 'didFail' && p.delivered));
    assert.ok(received.includes('ready'));
    assert.deepEqual(posted.map((p) => p.message.type), ['didLoad', 'didFail'], 'the transcript first, then what was held');
    assert.ok(posted.every((p) => p.delivered));
  });

  it('a request with a requestId gets its didReply: ok, or the error the host met', async () => {
    await api.spawn('asker', { backend: 'ollama', model: OLLAMA_MODEL });
    const { panel, posted } = await openLoaded('asker');
    fakes.ollama.enqueue({ kind: 'reply', deltas: ['Hello ', 'back.'] });
    const reply = (id: string) => posted.find((p) => p.message.type === 'didReply' && p.message.requestId === id);
    await panel.receive({ type: 'send', text: 'Hello there', requestId: 'req-send' });
    const ok = await until('the reply to the send', () => reply('req-send'));
    assert.deepEqual(ok, { message: { type: 'didReply', requestId: 'req-send', ok: true }, delivered: true });
    await until('the answer', () => posted.some((p) => p.message.type === 'didCompleteTurn'));

    await panel.receive({ type: 'stop', askId: 'no-such-ask', requestId: 'req-stop' });
    const failed = await until('the reply to the stop', () => reply('req-stop'));
    assert.deepEqual(failed.message, { type: 'didReply', requestId: 'req-stop', ok: false, error: 'It had already finished: there was nothing to stop.' });
    await panel.receive({ type: 'eval', code: '1', requestId: 'req-unknown' });
    const unknown = await until('the reply to an unknown message', () => reply('req-unknown'));
    assert.deepEqual(unknown.message, { type: 'didReply', requestId: 'req-unknown', ok: false, error: 'The host does not know that message.' });
    assert.ok(!posted.some((p) => p.message.type === 'didFail'), 'a request’s failure is its reply, not a notice as well');
  });

  it('Stop with an ask id stops that ask, keeping its partial answer, and the ask queued behind it then runs', async () => {
    await api.spawn('stopper', { backend: 'ollama', model: OLLAMA_MODEL });
    const { panel, posted } = await openLoaded('stopper');
    fakes.ollama.enqueue({ kind: 'hang', after: 3 }, { kind: 'reply', deltas: ['The ', 'second ', 'answer.'] });
    const requestsBefore = fakes.ollama.chatRequests().length;
    const first = hooks.fleet.ask('stopper', 'First, and never finishing.');
    const second = hooks.fleet.ask('stopper', 'Second.');
    const third = hooks.fleet.ask('stopper', 'Third, cancelled while it waits.');
    await until('the part of the first answer that comes (then the fake hangs)', () => first.text === 'part0 part1 part2 ');
    assert.deepEqual(hooks.fleet.get('stopper').queued.map((h) => h.id).slice(-2), [second.id, third.id]);

    // A queued ask, by its id: it leaves the queue unsent; the one in flight carries on.
    await panel.receive({ type: 'stop', askId: third.id });
    await assert.rejects(third, (e: AskFailedError) => e.kind === 'cancelled' && e.answer.text === '');
    assert.equal(first.settled, false, 'the answer in flight was not touched');

    await panel.receive({ type: 'stop', askId: first.id });
    const stopped = await first.then(() => assert.fail('the first ask was stopped'), (e: unknown) => e as AskFailedError);
    assert.equal(stopped.kind, 'cancelled');
    assert.equal(stopped.answer.text, 'part0 part1 part2 ', 'the partial answer stays');
    assert.equal((await second).text, 'The second answer.');

    const t = hooks.fleet.get('stopper').transcript;
    assert.deepEqual(t.map((m) => (m.role === 'user' ? `user: ${m.text}` : `${m.status}: ${m.text}`)), [
      'user: First, and never finishing.',
      `cancelled: ${stopped.answer.text}`,
      'user: Second.',
      'complete: The second answer.',
    ]);
    assert.equal(fakes.ollama.chatRequests().length - requestsBefore, 2, 'the cancelled queued ask was never sent');
    const completed = () => posted.filter((p) => p.message.type === 'didCompleteTurn').map((p) => p.message as Extract<HostMessage, { type: 'didCompleteTurn' }>);
    const completions = await until('both turn ends to reach the page', () => completed().length === 2 && completed());
    assert.deepEqual(completions.map((c) => [c.askId, c.message.status]), [[first.id, 'cancelled'], [second.id, 'complete']]);

    // Too late: a Stop for an answer that has finished says so, on that answer.
    await panel.receive({ type: 'stop', askId: second.id });
    const late = await until('the failure of a late Stop', () => posted.find((p) => p.message.type === 'didFail'));
    assert.deepEqual(late.message, { type: 'didFail', message: 'It had already finished: there was nothing to stop.', askId: second.id });
  });

  it('a chat disposes once however often it is asked, closing its panel; the instance’s chat opens again afresh', async () => {
    await api.spawn('closer', { backend: 'ollama', model: OLLAMA_MODEL });
    const { panel } = await openLoaded('closer');
    let disposals = 0;
    panel.onDidDispose(() => disposals++);
    panel.dispose();
    panel.dispose();
    assert.equal(disposals, 1);
    assert.equal(hooks.chats.find('closer'), undefined, 'the registry let it go');
    assert.throws(() => panel.panel.webview.html, /disposed/i, 'its panel is closed');
    const again = await openLoaded('closer');
    assert.notEqual(again.panel, panel);
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
