// Fallback in the real extension host: `llmFleet.fallback.chain` in the settings sends a turn the Anthropic API
// refuses with a 529 on to Ollama, with no SDK retry (the chain owns retries), the answer says who gave it, the
// health registry counts the failure, and Show Backend Health runs.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, startFakes, type Fakes } from './support';

describe('fallback chains', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  const fallback = () => vscode.workspace.getConfiguration('llmFleet.fallback');

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
  });
  after(async () => {
    await fallback().update('chain', undefined, vscode.ConfigurationTarget.Global);
    await api.killAll();
    await hooks.secrets.delete('anthropic');
    await fakes.close();
  });

  it('the chain in settings moves a 529 on to Ollama, once, and the health registry sees it', async () => {
    await fallback().update('chain', [{ backend: 'ollama', model: OLLAMA_MODEL }], vscode.ConfigurationTarget.Global);
    await api.spawn('chained', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    hooks.health.reset();
    const before = fakes.anthropic.messageRequests().length;
    fakes.anthropic.enqueue({ kind: 'status', status: 529, errorType: 'overloaded_error' }, { kind: 'status', status: 529, errorType: 'overloaded_error' });
    // VS Code fires the configuration change (which the stage reads) before `update` resolves.
    const answer = await api.ask('chained', 'hello there');
    assert.equal(answer.backend, 'ollama');
    assert.equal(fakes.anthropic.messageRequests().length - before, 1, 'the SDK retried although a chain owns the retries');
    const h = hooks.health.state('anthropic');
    assert.equal(h.consecutiveFailures, 1);
    assert.equal(h.recent.at(-1)?.kind, 'overloaded');
    assert.match(hooks.fleet.status('chained').answeredByFallback ?? '', /^answered by fallback: Ollama/);
    // The health pick shows the registry's failure (answered through the input probe, then dismissed as Escape).
    const shown = vscode.commands.executeCommand('llmFleet.showHealth');
    const pick = await hooks.inputs.next('LLM Fleet: Backend Health');
    const row = pick.items().find((i) => i.label.includes('Anthropic API'));
    assert.ok(row, `an Anthropic API row: ${pick.labels().join(', ')}`);
    assert.match(row.detail ?? '', /: overloaded/, 'its detail lists the 529');
    pick.cancel();
    await shown;
  });
});
