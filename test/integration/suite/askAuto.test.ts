// Ask with Auto Model in the real extension host: llmFleet.askAuto, given an instance and a prompt as Ask… is, has
// the router (wired as the extension wires it) answer one ask of a fixed-model instance where it chooses, says why in
// the chat and the ledger, and the next llmFleet.ask goes to the instance's own model with the whole transcript.
// The chat's "Send with Auto Model" (a `send` with `model: 'auto'`) takes the same path.
import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { AssistantMessage } from '../../../src/core/transcript';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { HostMessage } from '../../../src/webview/chat/protocol';
import { allTexts } from '../../fixtures/anthropicFake';
import { extensionApi, OLLAMA_MODEL, startFakes, until, type Fakes } from './support';

type Note = Extract<HostMessage, { type: 'didNote' }>;

describe('ask with auto model', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
    await hooks.detection.refresh();
  });
  afterEach(() => api.killAll());
  after(async () => {
    await hooks.secrets.delete('anthropic');
    await fakes?.close();
  });

  async function openChat(name: string) {
    const posted: HostMessage[] = [];
    const panel = hooks.chats.open(name);
    panel.onDidPost((p) => p.delivered && posted.push(p.message));
    await until('the chat to load', () => posted.some((m) => m.type === 'didLoad'));
    return { panel, posted, notes: () => posted.filter((m): m is Note => m.type === 'didNote') };
  }

  it('llmFleet.askAuto routes one ask of a fixed-model instance, and llmFleet.ask then uses its own model', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('llmFleet.askAuto'), 'the command is registered');
    await api.spawn('fixedAsk', { backend: 'anthropic', model: 'claude-sonnet-5' });
    const { notes } = await openChat('fixedAsk');

    fakes.ollama.enqueue({ kind: 'reply', deltas: ['Canberra.'], promptEvalCount: 20, evalCount: 3 });
    const before = fakes.anthropic.messageRequests().length;
    const routed = await vscode.commands.executeCommand<AssistantMessage>('llmFleet.askAuto', 'fixedAsk', 'What is the capital of Australia?');
    assert.ok(routed, 'the command returns the answer');
    assert.deepEqual([routed.backend, routed.model, routed.text], ['ollama', OLLAMA_MODEL, 'Canberra.']);
    assert.equal(fakes.anthropic.messageRequests().length, before, 'the instance’s own backend was not asked');
    const note = await until('the router note in the chat', () => notes()[0]);
    assert.match(note.text, /^→ qwen2\.5:7b \(Ollama\): short lookup .*rule "clearly easy"$/);
    await hooks.ledger.flush();
    const records = async () => (await hooks.ledger.records(routed.at - 60_000, Date.now() + 60_000)).filter((r) => r.instance === 'fixedAsk');
    assert.deepEqual((await records()).map((r) => [r.backend, r.model, r.reason]), [['ollama', OLLAMA_MODEL, note.text]]);

    fakes.anthropic.enqueue({ kind: 'reply', deltas: ['Sydney.'], usage: { input_tokens: 30, output_tokens: 2 } });
    const plain = await vscode.commands.executeCommand<AssistantMessage>('llmFleet.ask', 'fixedAsk', 'Which city there is the largest?');
    assert.equal(plain?.backend, 'anthropic');
    const sent = fakes.anthropic.messageRequests().at(-1)!.body;
    assert.equal(sent.model, 'claude-sonnet-5');
    // The routed answer is in the history the instance's own model sees.
    assert.deepEqual(allTexts(sent), ['What is the capital of Australia?', 'Canberra.', 'Which city there is the largest?']);
    assert.equal(notes().length, 1, 'the plain ask is not routed');
    await hooks.ledger.flush();
    assert.deepEqual((await records()).map((r) => [r.backend, r.reason]), [['ollama', note.text], ['anthropic', undefined]]);
    assert.equal(api.status('fixedAsk').messageCount, 4);
  });

  it('the chat’s Send with Auto Model routes the ask it sends', async () => {
    await api.spawn('chatAuto', { backend: 'anthropic', model: 'claude-sonnet-5' });
    const { panel, posted, notes } = await openChat('chatAuto');
    fakes.ollama.enqueue({ kind: 'reply', deltas: ['Wellington.'], promptEvalCount: 20, evalCount: 3 });
    await panel.receive({ type: 'send', text: 'What is the capital of New Zealand?', model: 'auto', requestId: 'req-auto' });
    const done = await until('the answer in the chat', () => posted.find((m): m is Extract<HostMessage, { type: 'didCompleteTurn' }> => m.type === 'didCompleteTurn'));
    assert.equal(done.message.model, OLLAMA_MODEL);
    assert.match(notes()[0]?.text ?? '', /^→ qwen2\.5:7b \(Ollama\)/);
  });
});
