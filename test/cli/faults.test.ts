import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ErrorKind } from '../../src/core/errors';
import { AskFailedError } from '../../src/core/instance';
import { cliRig, type CliRig } from './helpers';

/** Asks and expects a classified failure; returns it for more checks. */
async function expectFailure(rig: CliRig, name: string, kind: ErrorKind, message: RegExp): Promise<AskFailedError> {
  const error = await rig.fleet.ask(name, `trigger ${kind}`).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AskFailedError, `expected a failed ask, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, message);
  assert.equal(rig.fleet.status(name).status, 'error');
  return error;
}

/** The instance answers again after a failure, in a live process. */
async function stillUsable(rig: CliRig, name: string): Promise<void> {
  const answer = await rig.fleet.ask(name, 'are you fine?');
  // The CLI folds the failed question into the next one, so only the ending is fixed.
  assert.match(answer.text, /are you fine\?$/);
  assert.equal(rig.fleet.status(name).status, 'idle');
}

describe('API faults through the CLI (one retry, so each takes seconds)', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
    rig.spawn('f');
    await rig.fleet.ask('f', 'warm up');
  });
  after(() => rig.close());

  it('waits out a 429 with Retry-After and then answers', async () => {
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '2' });
    const started = Date.now();
    const answer = await rig.fleet.ask('f', 'rate limited once');
    const [failed, retried] = rig.fake.messageRequests().slice(-2);
    assert.ok(retried.at - failed.at >= 1900, `the CLI honoured Retry-After (${retried.at - failed.at} ms)`);
    assert.match(answer.text, /to: rate limited once$/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('classifies a 429 that persists as rate_limited', async () => {
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '0' }, { kind: 'status', status: 429, retryAfter: '0' });
    const e = await expectFailure(rig, 'f', 'rate_limited', /Rate limited/);
    assert.equal(e.answer.text, '');
    await stillUsable(rig, 'f');
  });

  it('classifies 529 as overloaded', async () => {
    rig.fake.enqueue({ kind: 'status', status: 529 }, { kind: 'status', status: 529 });
    await expectFailure(rig, 'f', 'overloaded', /overloaded/i);
    await stillUsable(rig, 'f');
  });

  it('classifies 401 as auth, with a hint', async () => {
    rig.fake.enqueue({ kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    const e = await expectFailure(rig, 'f', 'auth', /could not authenticate/);
    assert.match(e.hint ?? '', /log in|API key/);
    await stillUsable(rig, 'f');
  });

  it('classifies a 500 that persists as server (a result with is_error, whatever its subtype)', async () => {
    rig.fake.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    await expectFailure(rig, 'f', 'server', /500/);
    await stillUsable(rig, 'f');
  });

  it('recovers from a dropped connection mid-stream, and says so when dropped words were already shown', async () => {
    const warnings: string[] = [];
    const sub = rig.fleet.onDidChangeInstance((e) => e.warning && warnings.push(e.warning));
    rig.fake.enqueue({ kind: 'cut', after: 2 });
    const before = rig.fake.messageRequests().length;
    const answer = await rig.fleet.ask('f', 'dropped once');
    sub.dispose();
    assert.match(answer.text, /to: dropped once$/);
    assert.equal(rig.fake.messageRequests().length - before, 2, 'one cut attempt, one retry');
    // Whether the CLI streamed the dropped words before the cut is a race; when it did, the answer carries a warning.
    if (answer.text.includes('part0')) assert.ok(warnings.some((w) => /dropped mid-answer/.test(w)), warnings.join('; '));
    else assert.deepEqual(warnings, []);
  });

  it('retries a connection that keeps dropping, and reports what the last attempt got', async () => {
    // Two streaming attempts cut, then the CLI's last-chance non-streaming request gets a 500.
    const before = rig.fake.messageRequests().length;
    rig.fake.enqueue({ kind: 'cut', after: 1 }, { kind: 'cut', after: 1 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    await expectFailure(rig, 'f', 'server', /500/);
    const tries = rig.fake.messageRequests().slice(before);
    assert.ok(tries.length >= 3, `${tries.length} attempts`);
    assert.ok(tries.some((r) => r.body.stream !== true), 'the CLI fell back to a non-streaming request');
    await stillUsable(rig, 'f');
  });
});

describe('an API that cannot be reached', () => {
  it('classifies connection refused as network', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const rig = await cliRig({ env: { ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` } });
    try {
      rig.spawn('lonely');
      const e = await expectFailure(rig, 'lonely', 'network', /connection|ECONNREFUSED/i);
      assert.match(e.hint ?? '', /network/);
    } finally {
      await rig.close();
    }
  });
});
