// The budget stage in a Fleet with the loopback fakes, after the ledger stage as the extension wires it: a refusal
// before sending (the fake sees nothing), the warning near a cap, queued asks, "send anyway", a stop mid-stream at a
// tree cap, per-instance caps, and settings that are not numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Budgets, parseBudgetSettings, type BudgetCaps } from '../../src/core/cost/budgets';
import { Ledger, ledgerStage, type LedgerRecord } from '../../src/core/cost/ledger';
import { ERROR_KINDS, FleetError } from '../../src/core/errors';
import type { Backend, SessionInit } from '../../src/core/backends/backend';
import { emptyUsage } from '../../src/core/cost/usage';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { HAIKU, until } from './helpers';
import { askFailure, record, withLedgerRig } from './ledgerRig';
import type { MixedFleetRig } from './mixedRig';

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-budget-');

interface Rig {
  ledger: Ledger;
  budgets: Budgets;
  notes: string[];
  rows: () => Promise<LedgerRecord[]>;
  /** Spend already on the books: one answered record. */
  spent: (instance: string, usd: number, tree?: string) => Promise<void>;
}

async function rig(caps: Partial<BudgetCaps>, outputAllowanceTokens = 10_000): Promise<Rig> {
  let budgets!: Budgets;
  const l = await start({
    stages: ({ ledger, treeRootOf }) => {
      budgets = new Budgets({ ledger, treeRootOf, outputAllowanceTokens, caps: { warnAt: 0.8, ...caps } });
      return [ledgerStage(ledger, { treeRootOf }), budgets.stage];
    },
  });
  r = l.rig;
  const spent = (instance: string, usd: number, tree = instance) => l.ledger.append(record({ instance, tree, usd }));
  return { ...l, budgets, spent };
}

const failure = (p: Promise<unknown>) => askFailure(p);

describe('budgets', () => {
  it('budget_exceeded is a kind of the taxonomy', () => {
    assert.ok(ERROR_KINDS.includes('budget_exceeded'));
  });

  it('blocks before sending when the day would cross its cap: the fake sees no request, the ledger a blocked record', async () => {
    const { spent, rows } = await rig({ dailyUsd: 1 });
    await spent('someone-else', 0.97);
    r!.fleet.spawn('p', { backend: 'anthropic', model: HAIKU });
    const e = await failure(r!.fleet.ask('p', 'hi'));
    assert.equal(e.kind, 'budget_exceeded');
    assert.match(e.message, /^The daily cap of \$1\.00 would be crossed: \$0\.97 spent today, this ask ~ \$0\.05\. Nothing was sent\.$/);
    assert.match(e.hint ?? '', /Send it anyway once, raise the cap/);
    assert.equal(r!.anthropic.messageRequests().length, 0);
    const blocked = (await rows()).filter((x) => x.instance === 'p');
    assert.deepEqual(blocked.map((x) => [x.outcome, x.errorKind, x.basis]), [['blocked', 'budget_exceeded', 'none']]);
    assert.equal(r!.fleet.status('p').lastError?.kind, 'budget_exceeded');
  });

  it('warns with a note at 80% of a cap, and still sends', async () => {
    const { spent, notes } = await rig({ dailyUsd: 1 }, 1000);
    await spent('other', 0.8);
    r!.anthropic.enqueue({ kind: 'reply', text: 'fine', usage: { input_tokens: 5, output_tokens: 1 } });
    r!.fleet.spawn('w', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('w', 'hi')).text, 'fine');
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^The daily cap of \$1\.00 is 8\d% used with this ask: \$0\.80 spent today/);
    assert.equal(r!.anthropic.messageRequests().length, 1);
  });

  it('never says an ask of a model with no price costs $0: it is unpriced', async () => {
    const { spent, notes } = await rig({ dailyUsd: 1 }, 1000);
    await spent('other', 0.9);
    r!.anthropic.enqueue({ kind: 'reply', text: 'fine', usage: { input_tokens: 5, output_tokens: 1 } });
    r!.fleet.spawn('u', { backend: 'anthropic', model: 'claude-not-in-any-table-1' });
    assert.equal((await r!.fleet.ask('u', 'hi')).text, 'fine');
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^The daily cap of \$1\.00 is 90% used with this ask: \$0\.90 spent today, this ask unpriced\.$/);
  });

  it('no note below the threshold, and no cap at all passes straight through', async () => {
    const { spent, notes } = await rig({ dailyUsd: 1 }, 1000);
    await spent('other', 0.1);
    r!.fleet.spawn('q', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('q', 'hi');
    assert.deepEqual(notes, []);
  });

  it('three queued asks over the cap are each blocked with the same message, none sent', async () => {
    const { spent, rows } = await rig({ dailyUsd: 1 });
    await spent('x', 0.99);
    r!.fleet.spawn('q', { backend: 'anthropic', model: HAIKU });
    const asks = ['one', 'two', 'three'].map((p) => failure(r!.fleet.ask('q', p)));
    const errors = await Promise.all(asks);
    assert.deepEqual(errors.map((e) => e.kind), ['budget_exceeded', 'budget_exceeded', 'budget_exceeded']);
    assert.equal(new Set(errors.map((e) => e.message)).size, 1, errors.map((e) => e.message).join('\n'));
    assert.equal(r!.anthropic.messageRequests().length, 0);
    assert.deepEqual((await rows()).filter((x) => x.instance === 'q').map((x) => x.outcome), ['blocked', 'blocked', 'blocked']);
  });

  it('"send anyway, once" sends exactly that ask; the next one is held to the cap again', async () => {
    const { spent, notes, rows } = await rig({ dailyUsd: 1 });
    await spent('x', 0.99);
    r!.fleet.spawn('s', { backend: 'anthropic', model: HAIKU });
    await failure(r!.fleet.ask('s', 'hi'));
    r!.anthropic.enqueue({ kind: 'reply', text: 'sent anyway', usage: { input_tokens: 5, output_tokens: 2 } });
    assert.equal((await r!.fleet.ask('s', 'hi', { overrideBudget: true })).text, 'sent anyway');
    assert.equal(r!.anthropic.messageRequests().length, 1);
    assert.ok(notes.some((n) => /Sent anyway, once/.test(n)));
    assert.equal((await failure(r!.fleet.ask('s', 'again'))).kind, 'budget_exceeded');
    assert.equal(r!.anthropic.messageRequests().length, 1);
    const recs = (await rows()).filter((x) => x.instance === 's');
    assert.deepEqual(recs.map((x) => [x.outcome, x.override ?? '-']), [['blocked', '-'], ['ok', 'budget'], ['blocked', '-']]);
    assert.equal(recs[1].input, 5, 'the override record holds what was billed');
  });

  it('"send anyway" with three asks queued behind it sends only that one; the queued ones are each blocked', async () => {
    const { spent, rows } = await rig({ dailyUsd: 1 });
    await spent('x', 0.99);
    r!.fleet.spawn('t', { backend: 'anthropic', model: HAIKU });
    r!.anthropic.enqueue({ kind: 'reply', deltas: ['once', ' only'], gapMs: 5, usage: { input_tokens: 5, output_tokens: 2 } });
    const anyway = r!.fleet.ask('t', 'go', { overrideBudget: true });
    const queued = ['a', 'b', 'c'].map((p) => failure(r!.fleet.ask('t', p)));
    assert.equal((await anyway).text, 'once only');
    const errors = await Promise.all(queued);
    assert.equal(new Set(errors.map((e) => e.message)).size, 1);
    assert.equal(r!.anthropic.messageRequests().length, 1, 'exactly one request reached the API');
    assert.deepEqual((await rows()).filter((x) => x.instance === 't').map((x) => [x.outcome, x.override ?? '-']), [['ok', 'budget'], ['blocked', '-'], ['blocked', '-'], ['blocked', '-']]);
  });

  it('asks running at once on forks of one tree: only those that fit the tree cap are sent, the others blocked alike', async () => {
    // Each ask is estimated at ~$0.05 (10,000 output tokens of Haiku at $5/M, plus its prompt): two fit in $0.12.
    const { rows, budgets } = await rig({ treeUsd: 0.12 });
    r!.fleet.spawn('root', { backend: 'anthropic', model: HAIKU });
    r!.anthropic.enqueue({ kind: 'reply', text: 'ok', usage: { input_tokens: 10, output_tokens: 2 } });
    await r!.fleet.ask('root', 'start');
    for (const f of ['f1', 'f2', 'f3', 'f4']) await r!.fleet.fork('root', f);
    // The ones sent stay in flight (the fake holds them) until the others have been decided.
    r!.anthropic.enqueue({ kind: 'hang', after: 1 }, { kind: 'hang', after: 1 });
    const asks = ['f1', 'f2', 'f3', 'f4'].map((f) => r!.fleet.ask(f, 'the same question').then(() => undefined, (e: unknown) => e as AskFailedError));
    await until(() => r!.anthropic.messageRequests().length === 3 && r!.fleet.list().filter((i) => i.status === 'busy').length === 2, "the root's first ask and two more in flight");
    const blocked = r!.fleet.list().filter((i) => i.name.startsWith('f') && i.status !== 'busy').map((i) => i.name);
    assert.equal(blocked.length, 2, blocked.join());
    const sent = ['f1', 'f2', 'f3', 'f4'].filter((f) => !blocked.includes(f));
    for (const f of sent) r!.fleet.cancel(f);
    const outcomes = await Promise.all(asks);
    const errors = outcomes.filter((e): e is AskFailedError => e?.kind === 'budget_exceeded');
    assert.equal(errors.length, 2);
    assert.equal(new Set(errors.map((e) => e.message)).size, 1, errors.map((e) => e.message).join('\n'));
    assert.match(errors[0].message, /^The cap of \$0\.12 on tree 'root' would be crossed: \$0\.0\d+ spent in that tree and ~ \$0\.1\d? in asks still running, this ask ~ \$0\.05\. Nothing was sent\.$/);
    assert.equal(r!.anthropic.messageRequests().length, 3, 'the root\'s first ask and the two that fit');
    // Once the two have settled (cancelled, at the prompt they were billed for) their holds are gone: room again.
    await until(() => budgets.inFlight === 0, 'the holds released');
    r!.anthropic.enqueue({ kind: 'reply', text: 'room again', usage: { input_tokens: 10, output_tokens: 2 } });
    assert.equal((await r!.fleet.ask(blocked[0], 'now')).text, 'room again');
    const recs = (await rows()).filter((x) => x.tree === 'root' && x.instance !== 'root');
    assert.deepEqual(recs.map((x) => x.outcome).sort(), ['blocked', 'blocked', 'cancelled', 'cancelled', 'ok']);
  });

  it('stops a stream that crosses its tree cap mid-answer, keeping the partial text and saying why', async () => {
    const { spent, rows } = await rig({ treeUsd: 0.02 }, 1000);
    r!.fleet.spawn('root', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('root', 'start');
    await r!.fleet.fork('root', 'child');
    await spent('root', 0.01);
    // 40 deltas of 500 characters: ~5,700 output tokens at $5/M, about $0.029, well past the $0.01 left.
    r!.anthropic.enqueue({ kind: 'reply', deltas: Array.from({ length: 40 }, () => 'x'.repeat(500)), gapMs: 5 });
    const e = await failure(r!.fleet.ask('child', 'write a lot'));
    assert.equal(e.kind, 'budget_exceeded');
    assert.match(e.message, /^The cap of \$0\.02 on tree 'root' was crossed while answering .* The partial answer is kept\.$/);
    assert.ok(e.answer.text.length > 0 && e.answer.text.length < 40 * 500, `partial: ${e.answer.text.length}`);
    // A cancellation for the cap's reason, not a failure: the message is kept as stopped, the instance stays usable.
    const last = r!.fleet.get('child').transcript.at(-1)!;
    assert.ok(last.role === 'assistant');
    assert.deepEqual([last.status, last.error?.kind, last.error?.message, last.text], ['cancelled', 'budget_exceeded', e.message, e.answer.text]);
    assert.equal(r!.fleet.status('child').status, 'idle');
    const rec = (await rows()).filter((x) => x.instance === 'child');
    assert.deepEqual(rec.map((x) => [x.outcome, x.errorKind]), [['cancelled', 'budget_exceeded']]);
    // What the API reported before the stop (the prompt, at message_start) was billed: the record and the message agree.
    assert.ok(rec[0].input > 0 && rec[0].basis === 'table' && rec[0].usd! > 0, JSON.stringify(rec[0]));
    assert.deepEqual([last.usage?.input, last.cost?.usd], [rec[0].input, rec[0].usd]);
  });

  it("an instance's own cap, from spawn or Set Budget, wins over the setting; 0 removes it", async () => {
    const { spent } = await rig({ instanceUsd: 100 }, 1000);
    r!.fleet.spawn('own', { backend: 'anthropic', model: HAIKU, budgetUsd: 0.5 });
    await spent('own', 0.5);
    const e = await failure(r!.fleet.ask('own', 'hi'));
    assert.match(e.message, /^The cap of \$0\.50 on instance 'own' would be crossed: \$0\.50 spent by it/);
    r!.fleet.setBudget('own', 2);
    assert.equal(r!.fleet.get('own').spec.budgetUsd, 2);
    await r!.fleet.ask('own', 'hi');
    r!.fleet.setBudget('own', 0);
    assert.equal(r!.fleet.get('own').spec.budgetUsd, undefined);
    assert.throws(() => r!.fleet.setBudget('own', -1), (x: unknown) => x instanceof FleetError && x.code === 'invalid_argument' && /0 or more/.test(x.message));
    assert.throws(() => r!.fleet.spawn('bad', { backend: 'anthropic', model: HAIKU, budgetUsd: 'ten' as unknown as number }), /0 or more/);
  });

  it('bad settings: a negative or non-numeric cap is a problem and ignored; an empty one is no cap', () => {
    const { caps, problems } = parseBudgetSettings({ dailyUsd: -1, treeUsd: 'abc', instanceUsd: Number.NaN, warnAt: 2 });
    assert.deepEqual(caps, { dailyUsd: undefined, treeUsd: undefined, instanceUsd: undefined, warnAt: 0.8 });
    assert.equal(problems.length, 4);
    assert.match(problems[0], /llmFleet\.budget\.dailyUsd must be a dollar amount of 0 or more .* not -1; that cap is ignored/);
    assert.match(problems[1], /treeUsd .* not "abc"/);
    assert.match(problems[3], /warnAt must be a share between 0 and 1/);
    assert.deepEqual(parseBudgetSettings({ dailyUsd: 0, treeUsd: '', instanceUsd: null, warnAt: undefined }), { caps: { dailyUsd: undefined, treeUsd: undefined, instanceUsd: undefined, warnAt: 0.8 }, problems: [] });
    assert.deepEqual(parseBudgetSettings({ dailyUsd: 2.5, warnAt: 0.5 }).caps, { dailyUsd: 2.5, treeUsd: undefined, instanceUsd: undefined, warnAt: 0.5 });
  });

  it('a local model costs nothing, so it still answers on a day over its cap', async () => {
    const { spent } = await rig({ dailyUsd: 1 });
    await spent('x', 5);
    r!.ollama.enqueue({ kind: 'reply', deltas: ['free'], promptEvalCount: 3, evalCount: 1 });
    r!.fleet.spawn('local', { backend: 'ollama', model: 'qwen2.5:7b' });
    assert.equal((await r!.fleet.ask('local', 'hi')).text, 'free');
  });

  it('a bad cap in a running Fleet is ignored: the ask goes through', async () => {
    const { budgets, spent } = await rig({});
    budgets.configure(parseBudgetSettings({ dailyUsd: -5 }).caps);
    await spent('x', 50);
    r!.fleet.spawn('b', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('b', 'hi');
    assert.equal(r!.anthropic.messageRequests().length, 1);
  });

  it("a Claude Code instance's own cap also reaches the CLI as --max-budget-usd options, as a backstop", async () => {
    const inits: SessionInit[] = [];
    const cli: Backend = {
      kind: 'claudeCode',
      label: 'fake CLI',
      openSession: (init) => {
        inits.push(init);
        return { state: undefined, runTurn: async () => ({ usage: emptyUsage() }), dispose: async () => undefined };
      },
    };
    const fleet = new Fleet({ backends: [cli] });
    fleet.spawn('c', { backend: 'claudeCode', model: 'sonnet', budgetUsd: 3 });
    fleet.spawn('d', { backend: 'claudeCode', model: 'sonnet', budgetUsd: 3, options: { maxBudgetUsd: 1 } });
    fleet.spawn('e', { backend: 'claudeCode', model: 'sonnet' });
    await Promise.all(['c', 'd', 'e'].map((n) => fleet.ask(n, 'hi')));
    assert.deepEqual(inits.map((i) => i.options.maxBudgetUsd), [3, 1, undefined]);
    await fleet.shutdown();
  });
});
