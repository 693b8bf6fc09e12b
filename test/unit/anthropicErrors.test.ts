import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import type { Behaviour } from '../fixtures/anthropicFake';
import { HAIKU, rig, type Rig } from './helpers';

async function failureOf(r: Rig, behaviour: Behaviour): Promise<AskFailedError> {
  r.fake.enqueue(behaviour);
  const name = `i${r.fleet.list().length}`;
  r.fleet.spawn(name, { backend: 'anthropic', model: HAIKU });
  const e = await r.fleet.ask(name, 'hello').then(() => undefined, (x) => x);
  assert.ok(e instanceof AskFailedError, `expected a failure for ${behaviour.kind}`);
  assert.equal(r.fleet.status(name).status, e.kind === 'cancelled' ? 'idle' : 'error');
  return e;
}

describe('Anthropic errors are classified once, at the edge', () => {
  let r: Rig;
  beforeEach(async () => (r = await rig({}, { timeoutMs: 1000, idleTimeoutMs: 1000 })));
  afterEach(async () => r.close());

  it('401 → auth, with a next step', async () => {
    const e = await failureOf(r, { kind: 'status', status: 401, message: 'invalid x-api-key' });
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /invalid x-api-key/);
    assert.match(e.hint ?? '', /Set API Key/);
  });

  it('429 → rate_limited, with Retry-After in milliseconds', async () => {
    const e = await failureOf(r, { kind: 'status', status: 429, retryAfter: '7' });
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterMs, 7000);
  });

  it('529 → overloaded, and an overloaded error event mid-stream too (partial text kept)', async () => {
    assert.equal((await failureOf(r, { kind: 'status', status: 529 })).kind, 'overloaded');
    const mid = await failureOf(r, { kind: 'errorEvent', after: 2 });
    assert.equal(mid.kind, 'overloaded');
    assert.equal(mid.answer.text, 'part0 part1 ');
    assert.equal(mid.answer.status, 'error');
  });

  it('500 → server; 404 → not_found; 400 → bad_request; prompt too long → context_overflow', async () => {
    assert.equal((await failureOf(r, { kind: 'status', status: 500 })).kind, 'server');
    assert.equal((await failureOf(r, { kind: 'status', status: 404, message: 'model: nope' })).kind, 'not_found');
    assert.equal((await failureOf(r, { kind: 'status', status: 400, message: 'messages: bad' })).kind, 'bad_request');
    assert.equal((await failureOf(r, { kind: 'status', status: 400, message: 'prompt is too long: 250000 tokens > 200000 maximum' })).kind, 'context_overflow');
  });

  it('a connection cut mid-stream → network, keeping the partial answer', async () => {
    const e = await failureOf(r, { kind: 'cut', after: 3 });
    assert.equal(e.kind, 'network');
    assert.equal(e.answer.text, 'part0 part1 part2 ');
    const last = r.fleet.list().at(-1)!;
    assert.equal(r.fleet.get(last.name).transcript.at(-1)?.text, 'part0 part1 part2 ');
  });

  it('a stream that ends without message_stop → network', async () => {
    const e = await failureOf(r, { kind: 'truncate', after: 1 });
    assert.equal(e.kind, 'network');
    assert.match(e.message, /closed before the answer was complete/);
  });

  it('a malformed SSE event → server, with a clear message and the text so far', async () => {
    const e = await failureOf(r, { kind: 'malformed', after: 2 });
    assert.equal(e.kind, 'server');
    assert.match(e.message, /malformed stream event/);
    assert.equal(e.answer.text, 'part0 part1 ');
  });

  it('a server that never sends headers → timeout', async () => {
    const e = await failureOf(r, { kind: 'reply', delayMs: 4000 });
    assert.equal(e.kind, 'timeout');
  });

  it('a stream that stalls → timeout, keeping what arrived', async () => {
    const e = await failureOf(r, { kind: 'hang', after: 1 });
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /went quiet/);
    assert.equal(e.answer.text, 'part0 ');
  });

  it('a missing key → auth, before any request is sent', async () => {
    const fleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => undefined, baseURL: r.fake.url })] });
    fleet.spawn('nokey', { backend: 'anthropic', model: HAIKU });
    const e = await fleet.ask('nokey', 'hi').then(() => undefined, (x) => x);
    assert.ok(e instanceof AskFailedError);
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /No Anthropic API key/);
    assert.match(e.hint ?? '', /ANTHROPIC_API_KEY/);
    assert.equal(r.fake.messageRequests().length, 0);
    await fleet.killAll();
  });

  it('a refused connection → network', async () => {
    const port = await freePort();
    const fleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => 'k', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 })] });
    fleet.spawn('down', { backend: 'anthropic', model: HAIKU });
    const e = (await fleet.ask('down', 'hi').then(() => assert.fail('should fail'), (x) => x)) as AskFailedError;
    assert.equal(e.kind, 'network');
    assert.match(e.message, /Could not reach the Anthropic API/);
    await fleet.killAll();
  });

  it('the SDK retries 529 on its own when retries are on, honouring retry-after', async () => {
    await r.close();
    r = await rig({}, { maxRetries: 1 });
    r.fleet.spawn('retry', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'status', status: 529, retryAfter: '0' }, { kind: 'reply', text: 'second time lucky' });
    assert.equal((await r.fleet.ask('retry', 'hi')).text, 'second time lucky');
    assert.equal(r.fake.messageRequests().length, 2);
  });

  it('an error shows in status, and the next success makes the instance idle again', async () => {
    r.fleet.spawn('flaky', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'status', status: 500 });
    await r.fleet.ask('flaky', 'one').then(() => undefined, () => undefined);
    assert.equal(r.fleet.status('flaky').status, 'error');
    assert.equal(r.fleet.status('flaky').lastError?.kind, 'server');
    await r.fleet.ask('flaky', 'two');
    assert.equal(r.fleet.status('flaky').status, 'idle');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
