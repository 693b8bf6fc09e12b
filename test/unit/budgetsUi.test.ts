// Budgets where the user meets them: the chat's error actions and mismatch mark, the webview protocol's
// "send anyway", money on the tree, the amount typed into "Set Budget…", and the Claude Code CLI's backstop flag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildArgs, parseInstanceOptions } from '../../src/core/backends/claudeCodeArgs';
import { money } from '../../src/core/cost/budgets';
import type { InstanceInfo } from '../../src/core/instanceInfo';
import type { Message } from '../../src/core/transcript';
import { costMismatch } from '../../src/core/cost/ledgerRecord';
import { errorView, messageView } from '../../src/vscode/chat/views';
import { treeMoney } from '../../src/vscode/tree/treeMoney';
import { parseWebviewMessage } from '../../src/webview/chat/protocol';

const info = (name: string, usd: number, parent?: string): InstanceInfo =>
  ({ name, backend: 'anthropic', model: 'm', requestedModel: 'm', role: 'general', status: 'idle', usage: {} as InstanceInfo['usage'], cost: { usd, unpricedRequests: 0 }, messageCount: 0, queued: 0, createdAt: 0, ...(parent ? { lineage: { parent, root: parent, forkedAt: 0 } } : {}) }) as InstanceInfo;

describe('budgets in the chat, the tree and the CLI', () => {
  it('a budget_exceeded answer offers "Raise the cap…" and "Send anyway, once"', () => {
    const v = errorView({ kind: 'budget_exceeded', message: 'The daily cap of $1.00 would be crossed', hint: 'h' });
    assert.deepEqual(v.action, { title: 'Raise the cap…', command: 'llmFleet.setBudget' });
    assert.deepEqual(v.sendAnyway, { title: 'Send anyway, once' });
    assert.equal(errorView({ kind: 'rate_limited', message: 'x' }).sendAnyway, undefined);
  });

  it('the page may ask to send anyway by answer id, and run Set Budget; nothing else new', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'sendAnyway', messageId: 'abc' }), { type: 'sendAnyway', messageId: 'abc' });
    assert.equal(parseWebviewMessage({ type: 'sendAnyway', messageId: '' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'sendAnyway', messageId: 3 }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'runAction', command: 'llmFleet.setBudget' }), { type: 'runAction', command: 'llmFleet.setBudget' });
  });

  it("marks an answer whose two figures differ by the ledger's rule (over a cent or 1%)", () => {
    assert.equal(costMismatch({ usd: 0.1, reportedUsd: 0.1, basis: 'table' }), false);
    assert.equal(costMismatch({ usd: 0.1, reportedUsd: 0.1005, basis: 'table' }), false, '0.5% and under a cent');
    assert.equal(costMismatch({ usd: 0.1, reportedUsd: 0.102, basis: 'table' }), true, '2%');
    assert.equal(costMismatch({ usd: 0.1, reportedUsd: 0.3, basis: 'reported' }), false, 'a reported basis has one figure');
    const m: Message = { id: 'a', role: 'assistant', backend: 'claudeCode', text: 't', at: 0, status: 'complete', model: 'm', latencyMs: 1, cost: { usd: 0.5, reportedUsd: 0.6, basis: 'table' } };
    assert.equal(messageView(m).costMismatch, true);
    assert.equal(messageView({ ...m, cost: { usd: 0.5, basis: 'table' } }).costMismatch, undefined);
  });

  it('a tree root shows its tree total; a cap shows what is left', () => {
    const all = [info('root', 0.1), info('child', 0.25, 'root'), info('loner', 0.05)];
    const treeRoot = (n: string) => all.find((i) => i.name === n)?.lineage?.root ?? n;
    const root = treeMoney(all[0], { all, treeRoot, caps: { treeUsd: 1, warnAt: 0.8 } });
    assert.equal(root.description, 'tree $0.3500 · $0.65 left');
    assert.ok(root.tooltip.some((l) => l.startsWith('Tree spend: $0.3500 (2 instances)')));
    const child = treeMoney(all[1], { all, treeRoot, caps: { treeUsd: 1, warnAt: 0.8 }, ownCap: 0.3 });
    assert.equal(child.description, '$0.05 left', 'the tighter of its own cap and the tree cap');
    assert.equal(treeMoney(all[2], { all, treeRoot }).description, '', 'no tree, no cap: nothing to add');
    assert.equal(treeMoney(all[2], { all, treeRoot, caps: { instanceUsd: 0.05, warnAt: 0.8 } }).description, 'budget spent');
  });

  it('money reads as dollars and cents', () => {
    assert.deepEqual([money(1), money(0.97), money(0.05), money(0.0031), money(0)], ['$1.00', '$0.97', '$0.05', '$0.0031', '$0.00']);
  });

  it('Claude Code gets --max-budget-usd (it runs in print mode, where the CLI honours it)', () => {
    const o = parseInstanceOptions({ maxBudgetUsd: 2.5 }, 'general');
    const args = buildArgs({ instanceName: 'c', model: 'sonnet', role: 'general', options: {} }, o, { kind: 'new', sessionId: 's' });
    assert.ok(args.includes('-p'));
    assert.deepEqual(args.slice(args.indexOf('--max-budget-usd'), args.indexOf('--max-budget-usd') + 2), ['--max-budget-usd', '2.5']);
    assert.throws(() => parseInstanceOptions({ maxBudgetUsd: -1 }, 'general'), /maxBudgetUsd must be a dollar amount above 0/);
    assert.ok(!buildArgs({ instanceName: 'c', model: 'sonnet', role: 'general', options: {} }, parseInstanceOptions({}, 'general'), { kind: 'new', sessionId: 's' }).includes('--max-budget-usd'));
  });
});
