// Budgets in the real extension host: a daily cap set in the settings refuses an ask before it is sent, the chat
// shows the refusal with "Raise the cap…" and "Send anyway, once", and "send anyway" sends that question once.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { AskFailedError } from '../../../src/core/instance';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { HostMessage } from '../../../src/webview/chat/protocol';
import { extensionApi, startFakes, until, type Fakes } from './support';

describe('budgets', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  const budget = () => vscode.workspace.getConfiguration('llmFleet.budget');

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
  });
  after(async () => {
    await budget().update('dailyUsd', undefined, vscode.ConfigurationTarget.Global);
    await api.killAll();
    await hooks.secrets.delete('anthropic');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fakes.close();
  });

  it('a daily cap in settings blocks an ask before sending; the chat offers its actions; send anyway sends once', async () => {
    // A tenth of a cent: any Haiku ask's estimate (its output allowance alone) crosses it, whatever today cost.
    await budget().update('dailyUsd', 0.001, vscode.ConfigurationTarget.Global);
    await until('the budget stage to take the setting', () => hooks.budgets.current.dailyUsd === 0.001);
    await api.spawn('capped', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    const posted: HostMessage[] = [];
    const panel = hooks.chats.open('capped');
    panel.onDidPost((p) => posted.push(p.message));
    await until('the chat to load', () => posted.some((m) => m.type === 'didLoad'));
    const before = fakes.anthropic.messageRequests().length;

    const e = await api.ask('capped', 'Spend money').then(
      () => assert.fail('the ask should be refused'),
      (x: unknown) => x as AskFailedError,
    );
    assert.equal(e.kind, 'budget_exceeded');
    assert.match(e.message, /^The daily cap of \$0\.0010 would be crossed: \$[\d.]+ spent today, this ask ~ \$[\d.]+\. Nothing was sent\.$/);
    assert.equal(fakes.anthropic.messageRequests().length, before, 'nothing reached the API');

    const done = await until('the refused answer in the chat', () => posted.find((m): m is Extract<HostMessage, { type: 'didCompleteTurn' }> => m.type === 'didCompleteTurn'));
    assert.equal(done.message.error?.kind, 'budget_exceeded');
    assert.deepEqual(done.message.error?.action, { title: 'Raise the cap…', command: 'llmFleet.setBudget' });
    assert.deepEqual(done.message.error?.sendAnyway, { title: 'Send anyway, once' });
    await hooks.ledger.flush();
    const records = (await hooks.ledger.records(Date.now() - 60_000, Date.now() + 60_000)).filter((r) => r.instance === 'capped');
    assert.deepEqual(records.map((r) => [r.outcome, r.errorKind]), [['blocked', 'budget_exceeded']]);

    fakes.anthropic.enqueue({ kind: 'reply', text: 'paid for', usage: { input_tokens: 10, output_tokens: 2 } });
    await panel.receive({ type: 'sendAnyway', messageId: done.message.id, requestId: 'anyway-1' });
    await until('the answer sent anyway', () => posted.some((m) => m.type === 'didCompleteTurn' && m.message.text === 'paid for'));
    assert.equal(fakes.anthropic.messageRequests().length, before + 1, 'sent exactly once');
    assert.match(JSON.stringify(fakes.anthropic.messageRequests().at(-1)!.body.messages), /Spend money/);

    await panel.receive({ type: 'sendAnyway', messageId: done.message.id, requestId: 'anyway-2' });
    const again = await until('the second click to be refused', () => posted.find((m) => m.type === 'didReply' && m.requestId === 'anyway-2'));
    assert.deepEqual(again, { type: 'didReply', requestId: 'anyway-2', ok: false, error: 'That ask was already sent anyway once. Raise the cap to send more.' });
    assert.equal(fakes.anthropic.messageRequests().length, before + 1, 'still once');
  });
});
