import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BackendError } from '../../src/core/errors';
import { OpenAiBackend } from '../../src/core/backends/openai';
import { parsePriceOverrides } from '../../src/core/cost/priceOverrides';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { startOpenAiFake, type OpenAiBehaviour, type OpenAiFake } from '../fixtures/openaiFake';
import { closedPort, HTML_PAGE, startPlainServer } from '../fixtures/plainServer';
import { runDirect } from './backendHarness';
import { until } from './helpers';

const MINI = 'gpt-4o-mini';

describe('OpenAI-compatible backend (real openai client against the loopback fake)', () => {
  let fake: OpenAiFake;
  let fleet: Fleet;
  beforeEach(async () => {
    fake = await startOpenAiFake([MINI, 'local-model']);
    const { overrides } = parsePriceOverrides({ [MINI]: { input: 0.15, output: 0.6, cachedInput: 0.075 } });
    fleet = new Fleet({ backends: [new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0 })], pricing: { overrides } });
  });
  afterEach(async () => {
    await fleet.killAll();
    fleet.dispose();
    await fake.close();
  });

  it('streams with include_usage; cached tokens move out of input, so nothing is billed twice', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['Hello ', 'from ', 'a server.'], usage: { prompt_tokens: 1000, cached_tokens: 800, completion_tokens: 50 } });
    fleet.spawn('o', { backend: 'openai', model: MINI, systemPrompt: 'Be kind.' });
    const answer = await fleet.ask('o', 'Hi');
    assert.equal(answer.text, 'Hello from a server.');
    assert.deepEqual([answer.usage?.input, answer.usage?.cacheRead, answer.usage?.output], [200, 800, 50]);
    // $0.15/M for 200 uncached, $0.075/M for 800 cached, $0.60/M for 50 out.
    assert.equal(answer.cost?.basis, 'override');
    assert.ok(Math.abs(answer.cost!.usd! - (200 * 0.15 + 800 * 0.075 + 50 * 0.6) / 1e6) < 1e-12);
    const req = fake.chatRequests()[0];
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.deepEqual(req.body.messages, [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }]);
    assert.equal(req.headers.authorization, undefined, 'no key configured: no Authorization header at all');
  });

  it('leaves a model without a price unpriced, never $0', async () => {
    fleet.spawn('l', { backend: 'openai', model: 'local-model' });
    const answer = await fleet.ask('l', 'Hi');
    assert.equal(answer.cost?.basis, 'unpriced');
    assert.equal(answer.cost?.usd, undefined);
    assert.equal(fleet.status('l').cost.unpricedRequests, 1);
  });

  it('estimates usage, with a warning, when the server ignores include_usage', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['x'.repeat(70)], withoutUsage: true });
    const turn = await runDirect(new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0 }), { model: MINI }, 'y'.repeat(35));
    assert.equal(turn.output?.usage.output, 20);
    assert.equal(turn.output?.usage.input, 10);
    assert.match(turn.warnings.join(), /did not report token usage/);
  });

  it('sends the key from the getter when there is one', async () => {
    fake.apiKey = 'sk-local-123';
    const keyed = new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0, getApiKey: async (url) => (url === fake.baseURL ? 'sk-local-123' : undefined) });
    const ok = await runDirect(keyed, { model: MINI }, 'hi');
    assert.equal(ok.error, undefined);
    assert.equal(fake.chatRequests()[0].headers.authorization, 'Bearer sk-local-123');
    const refused = await runDirect(new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0 }), { model: MINI }, 'hi');
    assert.ok(refused.error instanceof BackendError);
    assert.equal(refused.error.kind, 'auth');
  });

  it('keeps reasoning and tool calls as parts', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['42'], reasoning: 'Six times seven.' });
    fleet.spawn('r', { backend: 'openai', model: MINI });
    const answer = await fleet.ask('r', 'What is 6*7?');
    assert.deepEqual(answer.parts, [{ kind: 'reasoning', text: 'Six times seven.' }]);
  });

  it('cancels mid-stream (the SDK ends the loop quietly) and before the headers', async () => {
    fleet.spawn('c', { backend: 'openai', model: MINI });
    fake.enqueue({ kind: 'hang', after: 2 });
    const mid = fleet.ask('c', 'go');
    await until(() => mid.text === 'part0 part1 ', 'two deltas');
    fleet.cancel('c');
    const midFailure = await mid.then(() => undefined, (e) => e);
    assert.ok(midFailure instanceof AskFailedError);
    assert.equal(midFailure.kind, 'cancelled');
    assert.equal(midFailure.answer.text, 'part0 part1 ');
    fake.enqueue({ kind: 'reply', delayMs: 10_000 });
    const early = fleet.ask('c', 'slow');
    await until(() => fake.chatRequests().length === 2, 'the second request');
    const started = Date.now();
    fleet.cancel('c');
    const earlyFailure = await early.then(() => undefined, (e) => e);
    assert.ok(earlyFailure instanceof AskFailedError);
    assert.equal(earlyFailure.kind, 'cancelled');
    assert.ok(Date.now() - started < 1000);
    await until(() => fake.chatRequests().every((r) => r.abandoned), 'the server to see both disconnects');
  });

  it('lists models from /v1/models', async () => {
    const models = await new OpenAiBackend({ baseURL: fake.baseURL }).listModels();
    assert.deepEqual(models, [{ id: MINI, ownedBy: 'fake' }, { id: 'local-model', ownedBy: 'fake' }]);
  });
});

describe('OpenAI-compatible backend: failures and bad input', () => {
  let fake: OpenAiFake;
  let backend: OpenAiBackend;
  beforeEach(async () => {
    fake = await startOpenAiFake([MINI]);
    backend = new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0 });
  });
  afterEach(async () => fake.close());

  async function failWith(b: OpenAiBehaviour, model = MINI): Promise<BackendError & { partial: string }> {
    fake.enqueue(b);
    const turn = await runDirect(backend, { model }, 'go');
    assert.ok(turn.error instanceof BackendError, `expected a BackendError, got ${turn.error}`);
    return Object.assign(turn.error, { partial: turn.deltas.join('') });
  }

  it('429 with retry-after: rate_limited with the delay', async () => {
    const e = await failWith({ kind: 'status', status: 429, message: 'Rate limit reached', retryAfter: '7' });
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterMs, 7000);
    assert.equal(e.status, 429);
  });

  it('status codes map to kinds', async () => {
    const cases: Array<[OpenAiBehaviour, string]> = [
      [{ kind: 'status', status: 500 }, 'server'],
      [{ kind: 'status', status: 503 }, 'overloaded'],
      [{ kind: 'status', status: 400, message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' }, 'context_overflow'],
      [{ kind: 'status', status: 400, message: 'bad temperature' }, 'bad_request'],
      [{ kind: 'status', status: 429, message: 'quota', code: 'insufficient_quota' }, 'auth'],
    ];
    for (const [b, kind] of cases) assert.equal((await failWith(b)).kind, kind, JSON.stringify(b));
  });

  it('an unknown model: not_found, pointing at /v1/models', async () => {
    const e = await failWith({ kind: 'reply' }, 'gpt-9');
    assert.equal(e.kind, 'not_found');
    assert.match(e.message, /no model 'gpt-9'/);
    assert.match(e.hint ?? '', /\/v1\/models/);
  });

  it('a cut, a truncated stream and an error event: the partial text is kept', async () => {
    const cut = await failWith({ kind: 'cut', after: 2 });
    assert.equal(cut.kind, 'network');
    assert.equal(cut.partial, 'part0 part1 ');
    const truncated = await failWith({ kind: 'truncate', after: 1 });
    assert.equal(truncated.kind, 'network');
    assert.match(truncated.message, /closed before the answer was complete/);
    assert.equal(truncated.partial, 'part0 ');
    const event = await failWith({ kind: 'errorEvent', after: 1, message: 'upstream model crashed' });
    assert.equal(event.kind, 'server');
    assert.match(event.message, /failed mid-answer: upstream model crashed/);
    assert.equal(event.partial, 'part0 ');
  });

  it('a web page (200 or 404) instead of the API: bad_request naming the base URL', async () => {
    const e = await failWith({ kind: 'html' });
    assert.equal(e.kind, 'bad_request');
    assert.match(e.message, /is not an OpenAI-compatible API: it answered HTTP 200 with a web page/);
    const site = await startPlainServer({ ...HTML_PAGE, status: 404 });
    try {
      const models = await new OpenAiBackend({ baseURL: site.url, maxRetries: 0 }).listModels().then(() => undefined, (x) => x);
      assert.equal(models.kind, 'bad_request');
      assert.match(models.hint, /ending in \/v1/);
    } finally {
      await site.close();
    }
  });

  it('connection refused: network', async () => {
    const port = await closedPort();
    const turn = await runDirect(new OpenAiBackend({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }), { model: MINI }, 'hi');
    assert.ok(turn.error instanceof BackendError);
    assert.equal(turn.error.kind, 'network');
    assert.match(turn.error.message, /nothing is listening there/);
  });

  it('refuses a bad base URL and a model name with illegal characters before sending', async () => {
    for (const baseURL of ['localhost:1234/v1', 'ftp://x/v1', '', 'http://x/v1?key=1']) {
      const turn = await runDirect(new OpenAiBackend({ baseURL }), { model: MINI }, 'hi');
      assert.equal((turn.error as BackendError).kind, 'bad_request', baseURL);
    }
    const bad = await runDirect(backend, { model: 'gpt 4o\n' }, 'hi');
    assert.equal((bad.error as BackendError).kind, 'bad_request');
    assert.equal(fake.requests.length, 0);
  });

  it('parses the price setting and reports unusable entries', () => {
    const { overrides, problems } = parsePriceOverrides({ a: { input: 1, output: 2 }, b: { input: -1, output: 2 }, c: 'cheap', d: { input: 1, output: 2, cachedInput: 'x' } });
    assert.deepEqual(Object.keys(overrides), ['a']);
    assert.deepEqual(overrides.a, { input: 1, output: 2, cacheRead: 1, cacheWrite5m: 1, cacheWrite1h: 1 });
    assert.equal(problems.length, 3);
    assert.match(problems[0], /'b' is not usable: input must be/);
    assert.deepEqual(parsePriceOverrides([]).problems.length, 1);
  });
});
