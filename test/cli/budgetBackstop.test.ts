// Claude Code's own spending stop, `--max-budget-usd`, behind the budget stage: set at spawn from the instance's cap,
// and when "Set Budget…" changes the cap of a running instance, its next turn runs in a new CLI process (resuming
// the same session) with the new value; an unchanged cap keeps the process. Read from the real CLI's argv.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AskFailedError } from '../../src/core/instance';
import { cliRig, transcriptOf, type CliRig } from './helpers';

/** The argv of the instance's live CLI process, as the kernel has it. */
function argvOf(rig: CliRig, name: string): { pid: number; argv: string[] } {
  const pid = rig.backend.pidOf(name);
  assert.ok(pid !== undefined, `'${name}' has a live CLI process`);
  return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) };
}

const flag = (argv: readonly string[], name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};

describe('the CLI backstop follows the instance cap', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
  });
  after(() => rig.close());

  it('a changed cap reaches the next turn: a new process, resumed, with the new --max-budget-usd', async () => {
    rig.spawn('cc', { model: 'claude-haiku-4-5', budgetUsd: 3 });
    rig.fake.enqueue(...['first', 'second', 'third', 'fourth'].map((text) => ({ kind: 'reply' as const, text })));
    assert.equal((await rig.fleet.ask('cc', 'one')).text, 'first');
    const p1 = argvOf(rig, 'cc');
    assert.equal(flag(p1.argv, '--max-budget-usd'), '3');
    const session = rig.fleet.get('cc').sessionState?.sessionId;
    assert.equal(flag(p1.argv, '--session-id'), session);

    rig.fleet.setBudget('cc', 5);
    assert.equal((await rig.fleet.ask('cc', 'two')).text, 'second');
    const p2 = argvOf(rig, 'cc');
    assert.notEqual(p2.pid, p1.pid, 'a new process');
    assert.deepEqual([flag(p2.argv, '--max-budget-usd'), flag(p2.argv, '--resume')], ['5', session]);
    // The resumed CLI sent the whole conversation: the first turn was not lost with the old process.
    assert.deepEqual(transcriptOf(rig.fake.messageRequests()[1].body).filter((l) => !l.includes('<system-reminder>')), ['user: one', 'assistant: first', 'user: two']);

    assert.equal((await rig.fleet.ask('cc', 'three')).text, 'third');
    assert.equal(argvOf(rig, 'cc').pid, p2.pid, 'the same cap keeps the process');

    rig.fleet.setBudget('cc', 0);
    assert.equal((await rig.fleet.ask('cc', 'four')).text, 'fourth');
    const p3 = argvOf(rig, 'cc');
    assert.notEqual(p3.pid, p2.pid);
    assert.equal(p3.argv.includes('--max-budget-usd'), false, 'no cap, no backstop');
    assert.equal(flag(p3.argv, '--resume'), session);
  });

  it('the CLI honours it: the turn that crosses it keeps its answer and cost, later turns are refused, a raised cap lets them through', async () => {
    rig.spawn('stop', { model: 'claude-haiku-4-5', budgetUsd: 0.001 });
    // Haiku 4.5 at $1/M in and $5/M out: $0.015, fifteen times the cap.
    rig.fake.enqueue({ kind: 'reply', text: 'expensive', usage: { input_tokens: 10_000, output_tokens: 1_000 } }, { kind: 'reply', text: 'after the raise' });
    const before = rig.fake.messageRequests().length;
    const crossed = await rig.fleet.ask('stop', 'one').then(() => assert.fail('the CLI should stop it'), (e: unknown) => e as AskFailedError);
    assert.equal(crossed.kind, 'budget_exceeded');
    assert.match(crossed.message, /^Claude Code's own spending stop \(--max-budget-usd, the instance's cap\) was reached: Reached maximum budget \(\$0\.001\)$/);
    assert.match(crossed.hint ?? '', /raise the cap/);
    // A stop for the cap's reason: the answer that arrived is kept, with what it cost (ours and the CLI's agree).
    const m = rig.fleet.get('stop').transcript.at(-1)!;
    assert.ok(m.role === 'assistant');
    assert.deepEqual([m.status, m.text, m.usage?.input, m.usage?.output], ['cancelled', 'expensive', 10_000, 1_000]);
    assert.ok(Math.abs(m.cost!.usd! - 0.015) < 1e-12 && Math.abs(m.cost!.reportedUsd! - 0.015) < 1e-9, JSON.stringify(m.cost));

    const refused = await rig.fleet.ask('stop', 'two').then(() => assert.fail('refused'), (e: unknown) => e as AskFailedError);
    assert.equal(refused.kind, 'budget_exceeded');
    assert.equal(rig.fake.messageRequests().length, before + 1, 'the refused turn sent nothing');

    rig.fleet.setBudget('stop', 1);
    assert.equal((await rig.fleet.ask('stop', 'three')).text, 'after the raise');
    assert.equal(flag(argvOf(rig, 'stop').argv, '--max-budget-usd'), '1');
  });

  it("an instance's own maxBudgetUsd option wins over its cap, before and after Set Budget", async () => {
    rig.spawn('own', { model: 'claude-haiku-4-5', budgetUsd: 3, options: { maxBudgetUsd: 1.5 } });
    rig.fake.enqueue({ kind: 'reply', text: 'a' }, { kind: 'reply', text: 'b' });
    await rig.fleet.ask('own', 'one');
    const p1 = argvOf(rig, 'own');
    assert.equal(flag(p1.argv, '--max-budget-usd'), '1.5');
    rig.fleet.setBudget('own', 7);
    await rig.fleet.ask('own', 'two');
    const p2 = argvOf(rig, 'own');
    assert.deepEqual([p2.pid, flag(p2.argv, '--max-budget-usd')], [p1.pid, '1.5']);
  });
});
