import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AskFailedError } from '../../src/core/instance';
import { lastUserText } from '../fixtures/anthropicFake';
import { assertNoneLeft, claudeProcesses, cliRig, markedRunning, transcriptOf, until, type CliRig } from './helpers';

// Every "nothing left" check below searches the whole machine for the rig's environment mark (see markedProcesses),
// not this process's descendants: an orphaned tool command is re-parented away from those and would go unseen.

/** A reply slow enough to act on mid-stream: 30 words, 100 ms apart. */
const SLOW = { kind: 'reply' as const, text: Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '), gapMs: 100 };

describe('Claude Code lifecycle: interrupt, kill, crash, kill all', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
  });
  after(() => rig.close());

  it('cancels with an interrupt: the partial answer is kept and the same process answers the next ask', async () => {
    rig.spawn('talker');
    await rig.fleet.ask('talker', 'warm up');
    const pid = rig.backend.pidOf('talker');
    assert.ok(pid);
    rig.fake.enqueue(SLOW);
    const handle = rig.fleet.ask('talker', 'talk slowly');
    await until(() => handle.text.split(' ').length >= 3, 'a few words');
    assert.equal(rig.fleet.cancel('talker'), true);
    const error = await handle.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError);
    assert.equal(error.kind, 'cancelled');
    assert.match(error.answer.text, /^w0 w1 /);
    assert.ok(error.answer.text.length < SLOW.text.length, 'stopped before the end');
    assert.equal(error.answer.status, 'cancelled');
    assert.equal(rig.fleet.status('talker').status, 'idle');
    assert.equal(rig.backend.pidOf('talker'), pid, 'the process survived the interrupt');

    const next = await rig.fleet.ask('talker', 'and now?');
    assert.match(next.text, /and now\?$/);
    assert.equal(rig.backend.pidOf('talker'), pid);
    const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.ok(/assistant: w0 w1 /.test(seen), 'the CLI kept the partial answer too');
    assert.ok(seen.includes('[Request interrupted by user]'), 'the CLI marked the interruption');
  });

  it('kills mid-stream: kill resolves only once the process has exited, and the partial answer is kept', async () => {
    rig.spawn('victim');
    rig.fake.enqueue(SLOW);
    const handle = rig.fleet.ask('victim', 'talk slowly');
    await until(() => handle.text.length > 0, 'the first words');
    const pid = rig.backend.pidOf('victim')!;
    assert.ok(claudeProcesses().includes(pid));
    await rig.fleet.kill('victim');
    // No waiting here: kill itself waited for the exit.
    assert.equal(claudeProcesses().includes(pid), false);
    await assertNoneLeft('kill', { mark: rig.mark, keep: rig.backend.livePids() });
    const error = await handle.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError);
    assert.match(error.answer.text, /^w0/);
    await until(() => rig.fake.requests.at(-1)!.abandoned, 'the fake to see the stream dropped', 3000);
  });

  it('kills what the CLI started too: a Bash tool command (tail -f) still running', async () => {
    rig.spawn('sleeper', { options: { allowedTools: ['Bash'] } });
    rig.fake.enqueue({ kind: 'toolUse', name: 'Bash', input: { command: 'tail -f /dev/null', description: 'follow' } });
    const handle = rig.fleet.ask('sleeper', 'wait a while');
    // Found by the mark too: this also proves the mark reaches the CLI's tool commands.
    await until(() => markedRunning('tail').length > 0, 'the tool to start tail');
    await rig.fleet.kill('sleeper');
    await assertNoneLeft('killing an instance whose Bash tool runs tail -f', { mark: rig.mark, keep: rig.backend.livePids() });
    assert.deepEqual(claudeProcesses().sort(), rig.backend.livePids().sort());
    await handle.then(() => assert.fail('the ask should fail'), () => undefined);
  });

  it('reports a crash with the exit signal, marks the instance error, and resumes on the next ask', async () => {
    rig.spawn('fragile');
    await rig.fleet.ask('fragile', 'remember me');
    rig.fake.enqueue(SLOW);
    const handle = rig.fleet.ask('fragile', 'talk slowly');
    await until(() => handle.text.length > 0, 'the first words');
    const pid = rig.backend.pidOf('fragile')!;
    assert.ok(claudeProcesses().includes(pid));
    process.kill(pid, 'SIGKILL');
    const error = await handle.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError);
    assert.equal(error.kind, 'server');
    assert.match(error.message, /was killed by SIGKILL before the answer was complete/);
    assert.match(error.hint ?? '', /resumes the session/);
    assert.match(error.answer.text, /^w0/, 'the partial answer is kept');
    assert.equal(rig.fleet.status('fragile').status, 'error');
    assert.equal(rig.fleet.status('fragile').lastError?.kind, 'server');

    const next = await rig.fleet.ask('fragile', 'back again?');
    assert.match(next.text, /to: back again\?/);
    assert.notEqual(rig.backend.pidOf('fragile'), pid);
    assert.equal(claudeProcesses().includes(pid), false);
    await assertNoneLeft('a crash and the resume', { mark: rig.mark, keep: rig.backend.livePids() });
    const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.match(seen, /user: remember me/, 'resumed with --resume: the history is there');
    assert.equal(rig.fleet.status('fragile').status, 'idle');
  });

  it('leaves zero claude processes after killAll, busy or idle', async () => {
    for (const n of ['a1', 'a2', 'a3']) rig.spawn(n);
    await Promise.all(['a1', 'a2'].map((n) => rig.fleet.ask(n, `hello ${n}`)));
    rig.fake.enqueue(SLOW);
    const busy = rig.fleet.ask('a3', 'talk slowly');
    await until(() => busy.text.length > 0, 'a3 to stream');
    assert.ok(claudeProcesses().length >= 3);
    await rig.fleet.killAll();
    assert.deepEqual(claudeProcesses(), [], 'killAll waited for every CLI to exit');
    await assertNoneLeft('killAll', { mark: rig.mark });
    assert.deepEqual(rig.backend.livePids(), []);
    assert.match(lastUserText(rig.fake.messageRequests().at(-1)!.body), /talk slowly$/);
  });
});
