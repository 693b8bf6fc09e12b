// The router in the real extension host: an instance spawned with model `auto` has each ask routed among the
// backends detection found, the choice is shown in its chat as a note and kept in the ledger record, and the
// llmFleet.router settings apply to the next ask (a bad rule is reported and the shipped rules used).
import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { HostMessage } from '../../../src/webview/chat/protocol';
import { extensionApi, OLLAMA_MODEL, startFakes, until, type Fakes } from './support';

describe('the router', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  const router = () => vscode.workspace.getConfiguration('llmFleet.router');

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
    await hooks.detection.refresh();
  });
  afterEach(async () => {
    await api.killAll();
    await router().update('policy', undefined, vscode.ConfigurationTarget.Global);
    await router().update('rules', undefined, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await hooks.secrets.delete('anthropic');
    await fakes?.close();
  });

  it('routes an auto instance, explains the choice in its chat and the ledger, and follows the policy setting', async () => {
    const usable = hooks.detection.findings.filter((f) => f.usable).map((f) => f.kind);
    assert.ok(usable.includes('anthropic') && usable.includes('ollama'), `detection found the fakes usable: ${JSON.stringify(hooks.detection.findings)}`);
    await api.spawn('routed', { backend: 'anthropic', model: 'auto' });
    const posted: HostMessage[] = [];
    const panel = hooks.chats.open('routed');
    panel.onDidPost((p) => p.delivered && posted.push(p.message));
    await until('the chat to load', () => posted.some((m) => m.type === 'didLoad'));

    fakes.ollama.enqueue({ kind: 'reply', deltas: ['Canberra.'], promptEvalCount: 20, evalCount: 3 });
    const easy = await api.ask('routed', 'What is the capital of Australia?');
    assert.equal(easy.model, OLLAMA_MODEL);
    const note = await until('the router note in the chat', () => posted.find((m): m is Extract<HostMessage, { type: 'didNote' }> => m.type === 'didNote'));
    assert.match(note.text, /^→ qwen2\.5:7b \(Ollama\): short lookup \(a short factual question\), \d+ tokens, policy cost-first, rule "clearly easy"$/);
    await hooks.ledger.flush();
    const records = (await hooks.ledger.records(easy.at - 60_000, Date.now() + 60_000)).filter((r) => r.instance === 'routed');
    assert.deepEqual(records.map((r) => [r.backend, r.model, r.reason]), [['ollama', OLLAMA_MODEL, note.text]]);

    await router().update('policy', 'quality-first', vscode.ConfigurationTarget.Global);
    fakes.anthropic.enqueue({ kind: 'reply', deltas: ['Canberra.'], usage: { input_tokens: 20, output_tokens: 3 } });
    // The same kind of clearly easy lookup: quality-first takes it one tier up, from a small model to a medium one.
    await api.ask('routed', 'What is the capital of New Zealand?');
    assert.equal(fakes.anthropic.messageRequests().at(-1)?.body.model, 'claude-sonnet-5');
  });

  it('a bad rule in settings leaves the shipped rules routing (its report is checked in test/unit/router.test.ts)', async () => {
    await router().update('rules', [{ when: { knd: 'lookup' }, use: { tier: 'small' } }], vscode.ConfigurationTarget.Global);
    await api.spawn('routed2', { backend: 'ollama', model: 'auto' });
    fakes.ollama.enqueue({ kind: 'reply', deltas: ['42'], promptEvalCount: 10, evalCount: 1 });
    const answer = await api.ask('routed2', 'What is six times seven?');
    assert.equal(answer.model, OLLAMA_MODEL);
  });
});
