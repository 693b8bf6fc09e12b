// The fallback stage in a Fleet, through the real SDK clients against the loopback fakes' fault switches:
// Retry-After below and above the cap (waits measured), a 529 storm into a cooldown and a half-open recovery, a
// 401, a hang into a timeout, a context overflow into a larger window, a failure after text was shown, the kinds
// that never fall back, SDK retries that do not multiply with the chain's, and one ledger record per attempt.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { ledgerStage, type LedgerRecord } from '../../src/core/cost/ledger';
import { AskFailedError } from '../../src/core/instance';
import { DEFAULT_FALLBACK, fallbackStage, type FallbackSettings } from '../../src/core/routing/fallback';
import { HealthRegistry } from '../../src/core/routing/health';
import type { FallbackLink, TurnRequest } from '../../src/core/turn/types';
import { BackendError } from '../../src/core/errors';
import { emptyUsage } from '../../src/core/cost/usage';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { Fleet } from '../../src/core/fleet';
import { FAKE_ANTHROPIC_KEY } from '../fixtures/anthropicFake';
import { messageView } from '../../src/vscode/chat/views';
import { describeInstance } from '../../src/vscode/presentation';
import { HAIKU } from './helpers';
import { withLedgerRig } from './ledgerRig';
import { mixedFleetRig, OPENAI_MODEL, type MixedFleetRig } from './mixedRig';

const QWEN = 'qwen2.5:7b';
const TO_OLLAMA: FallbackLink[] = [{ backend: 'ollama', model: QWEN }];

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-fallback-');

interface Rig {
  r: MixedFleetRig;
  health: HealthRegistry;
  settings: FallbackSettings;
  notes: string[];
  rows(): Promise<LedgerRecord[]>;
}

/** A Fleet with the agreed order (fallback, then the ledger) over every API backend's real client. */
async function rig(settings: Partial<FallbackSettings> = {}, health = new HealthRegistry({ failureThreshold: 3, cooldownMs: 400 }), sdkRetries?: number): Promise<Rig> {
  const s: FallbackSettings = { ...DEFAULT_FALLBACK, chain: TO_OLLAMA, maxRetryWaitMs: 3000, ...settings };
  const l = await start({
    stages: ({ ledger }) => [fallbackStage({ health, settings: () => s }), ledgerStage(ledger)],
    make: async (stages) => {
      const fakes = await mixedFleetRig(undefined, { stages });
      if (!sdkRetries) return fakes;
      // A Fleet whose Anthropic client retries as the extension's does by default (the rig's has none).
      const fleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: fakes.anthropic.url, maxRetries: sdkRetries }), new OllamaBackend({ host: fakes.ollama.url })], stages });
      const close = fakes.close;
      return { ...fakes, fleet, close: async () => (await fleet.killAll(), fleet.dispose(), await close()) };
    },
  });
  r = l.rig;
  return { ...l, r, health, settings: s };
}

const failedAsk = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as AskFailedError;
  }
  assert.fail('the ask should have failed');
};

describe('fallback: Retry-After', () => {
  it('waits at least the Retry-After (1 s) and retries the same backend, within the attempt budget', async () => {
    const { r } = await rig();
    r.anthropic.enqueue({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'reply', text: 'after the wait' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const answer = await r.fleet.ask('a', 'hello');
    const [first, second] = r.anthropic.messageRequests();
    assert.ok(second.at - first.at >= 1000, `the retry came ${second.at - first.at} ms after the 429, before its Retry-After of 1000 ms`);
    assert.equal(answer.text, 'after the wait');
    assert.equal(answer.backend, 'anthropic');
    assert.equal(r.ollama.chatRequests().length, 0, 'a wait under the cap stays on the backend');
    assert.deepEqual(answer.attempts?.map((a) => [a.backend, a.error?.kind ?? 'ok']), [['anthropic', 'rate_limited'], ['anthropic', 'ok']]);
    // The same target answered after its wait: a retry, not a fallback.
    assert.match(messageView(answer).fallback ?? '', /^answered on retry: Anthropic API · claude-haiku-4-5\S* \(rate_limited\)$/);
  });

  it('above the cap moves on without waiting, and keeps the backend cooling for the Retry-After', async () => {
    const { r, health } = await rig({ maxRetryWaitMs: 2000 });
    r.anthropic.enqueue({ kind: 'status', status: 429, retryAfter: '30' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const answer = await r.fleet.ask('a', 'hello');
    const refused = r.anthropic.messageRequests()[0].at;
    const moved = r.ollama.chatRequests()[0].at;
    assert.ok(moved - refused < 30_000, 'the chain waited out a Retry-After above its cap');
    assert.equal(r.anthropic.messageRequests().length, 1);
    assert.equal(answer.backend, 'ollama');
    const h = health.state('anthropic');
    assert.equal(h.state, 'cooling');
    assert.ok(h.until! - refused >= 29_000, `cooling until ${h.until! - refused} ms after the 429, not the 30 s asked`);
    // The next ask goes straight to the next backend: the cooling one is not asked.
    await r.fleet.ask('a', 'again');
    assert.equal(r.anthropic.messageRequests().length, 1);
    assert.equal(r.ollama.chatRequests().length, 2);
  });
});

describe('fallback: cooldowns', () => {
  it('a 529 storm opens the circuit after 3 failures, skips the backend, and a half-open probe recovers it', async () => {
    const { r, health } = await rig();
    r.anthropic.fallback = { kind: 'status', status: 529, errorType: 'overloaded_error' };
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    for (let i = 0; i < 3; i++) assert.equal((await r.fleet.ask('a', `q${i}`)).backend, 'ollama');
    assert.equal(r.anthropic.messageRequests().length, 3);
    const open = health.state('anthropic');
    assert.equal(open.state, 'open');
    assert.equal(open.consecutiveFailures, 3);
    assert.deepEqual(open.recent.map((e) => e.kind), ['overloaded', 'overloaded', 'overloaded']);
    assert.equal(health.isAvailable('anthropic'), false);
    await r.fleet.ask('a', 'while open');
    assert.equal(r.anthropic.messageRequests().length, 3, 'an open circuit is not asked');
    await sleep(open.until! - Date.now() + 20);
    assert.equal(health.state('anthropic').state, 'half-open');
    r.anthropic.fallback = { kind: 'reply', text: 'back again' };
    const probe = await r.fleet.ask('a', 'probe');
    assert.equal(probe.backend, 'anthropic');
    assert.equal(probe.text, 'back again');
    assert.equal(health.state('anthropic').state, 'healthy');
  });

  it('a 401 marks the backend unhealthy with the next step, and moves on', async () => {
    const { r, health } = await rig();
    r.anthropic.apiKey = 'sk-ant-another-key';
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const answer = await r.fleet.ask('a', 'hello');
    assert.equal(answer.backend, 'ollama');
    assert.equal(answer.attempts?.[0].error?.kind, 'auth');
    const h = health.state('anthropic');
    assert.equal(h.state, 'open');
    assert.match(h.nextStep ?? '', /Set the Anthropic key/);
    await r.fleet.ask('a', 'again');
    assert.equal(r.anthropic.messageRequests().length, 1, 'a refused key is not tried again at once');
  });
});

describe('fallback: triggers', () => {
  it('a hang with no first delta becomes a timeout, the stream is let go, and the next backend answers', async () => {
    const { r } = await rig({ firstDeltaTimeoutMs: 300 });
    r.anthropic.enqueue({ kind: 'hang' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const answer = await r.fleet.ask('a', 'hello');
    assert.equal(answer.backend, 'ollama');
    assert.equal(answer.attempts?.[0].error?.kind, 'timeout');
    assert.equal(r.anthropic.messageRequests()[0].abandoned, true);
  });

  it('a context overflow skips a smaller window and goes to a larger one', async () => {
    const chain: FallbackLink[] = [{ backend: 'ollama', model: QWEN }, { backend: 'anthropic', model: HAIKU }];
    const { r } = await rig({ chain });
    r.openai.enqueue({ kind: 'status', status: 400, code: 'context_length_exceeded', message: "This model's maximum context length is 128000 tokens." });
    r.fleet.spawn('o', { backend: 'openai', model: OPENAI_MODEL });
    const answer = await r.fleet.ask('o', 'a long question');
    assert.equal(answer.backend, 'anthropic', 'gpt-4o-mini holds 128k; qwen2.5 32k is smaller, haiku 200k larger');
    assert.equal(r.ollama.chatRequests().length, 0);
    assert.equal(answer.attempts?.[0].error?.kind, 'context_overflow');
  });

  it('a failure after text was shown keeps it, marked, and the next answer follows as the continuation', async () => {
    const { r, notes, rows } = await rig();
    r.anthropic.enqueue({ kind: 'errorEvent', after: 2, errorType: 'overloaded_error', message: 'Overloaded' });
    r.ollama.enqueue({ kind: 'reply', deltas: ['Local ', 'answer.'] });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const handle = r.fleet.ask('a', 'hello');
    const answer = await handle;
    assert.ok(answer.text.startsWith('part0 part1 '), answer.text);
    assert.match(answer.text, /Anthropic API · claude-haiku-4-5 stopped mid-answer \(overloaded\)\. Continued by fallback: Ollama · qwen2\.5:7b/);
    assert.ok(answer.text.endsWith('Local answer.'));
    assert.equal(handle.text, answer.text, 'what streamed is what the transcript keeps');
    assert.ok(notes.some((n) => n.startsWith('answered by fallback: Ollama · qwen2.5:7b (Anthropic API · claude-haiku-4-5: overloaded)')), notes.join('\n'));
    // The chat's message and the tree's instance say who answered, and why the first did not.
    assert.equal(messageView(answer).fallback, 'answered by fallback: Ollama · qwen2.5:7b (Anthropic API · claude-haiku-4-5: overloaded)');
    assert.equal(r.fleet.status('a').answeredByFallback, messageView(answer).fallback);
    assert.match(describeInstance(r.fleet.status('a')), /↪ fallback$/);
    // The next turn's backend sees that answer as the conversation's.
    r.anthropic.enqueue({ kind: 'reply', text: 'ok' });
    await r.fleet.ask('a', 'next');
    assert.equal(r.fleet.status('a').answeredByFallback, undefined, 'an answer from the instance itself clears it');
    const sent = r.anthropic.messageRequests().at(-1)!.body.messages;
    assert.equal(sent.length, 3);
    assert.equal(sent[1].content[0].text, answer.text);
    const mine = (await rows()).filter((x) => x.askId === answer.id);
    assert.deepEqual(
      mine.map((x) => [x.backend, x.attempt, x.outcome, x.errorKind ?? '-', x.fallbackFrom?.backend ?? '-']),
      [['anthropic', 0, 'error', 'overloaded', '-'], ['ollama', 1, 'ok', '-', 'anthropic']],
    );
  });

  it('bad_request and cancel never fall back', async () => {
    const { r } = await rig();
    r.anthropic.enqueue({ kind: 'status', status: 400, errorType: 'invalid_request_error', message: 'bad field' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const e = await failedAsk(r.fleet.ask('a', 'hello'));
    assert.equal(e.kind, 'bad_request');
    r.anthropic.enqueue({ kind: 'hang' });
    const handle = r.fleet.ask('a', 'cancel me');
    await new Promise<void>((done) => r!.fleet.onDidTurnEvent((x) => x.event.type === 'attempt' && done()));
    r.fleet.cancel('a');
    assert.equal((await failedAsk(handle)).kind, 'cancelled');
    assert.equal(r.ollama.chatRequests().length, 0);
  });

  it('a whole chain that fails reports every attempt in the transcript and one ledger record each', async () => {
    const { r, rows } = await rig();
    r.anthropic.enqueue({ kind: 'status', status: 500 });
    r.ollama.enqueue({ kind: 'status', status: 500, error: 'runner crashed' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const e = await failedAsk(r.fleet.ask('a', 'hello'));
    assert.deepEqual(e.answer.attempts?.map((a) => [a.backend, a.error?.kind]), [['anthropic', 'server'], ['ollama', 'server']]);
    const mine = (await rows()).filter((x) => x.askId === e.answer.id);
    assert.deepEqual(mine.map((x) => [x.backend, x.attempt, x.outcome, x.fallbackFrom?.backend ?? '-']), [['anthropic', 0, 'error', '-'], ['ollama', 1, 'error', 'anthropic']]);
  });
});

describe('fallback: one budget of attempts', () => {
  it('a chain attempt asks the SDK for no retries, so each chain attempt is one request', async () => {
    const { r } = await rig({ maxAttempts: 2 }, undefined, 2);
    r.anthropic.enqueue({ kind: 'status', status: 529, errorType: 'overloaded_error' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    await r.fleet.ask('a', 'hello');
    assert.equal(r.anthropic.messageRequests().length, 1, 'the SDK retried inside a chain attempt');
    assert.equal(r.ollama.chatRequests().length, 1);
  });

  it('a turn with no chain keeps the SDK\'s own retries, even while other instances have chains', async () => {
    const { r } = await rig({ chain: [] }, undefined, 2);
    r.anthropic.enqueue({ kind: 'status', status: 529, retryAfter: '0' }, { kind: 'status', status: 529, retryAfter: '0' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    r.fleet.spawn('b', { backend: 'anthropic', model: HAIKU, fallback: TO_OLLAMA });
    assert.equal((await r.fleet.ask('a', 'hello')).backend, 'anthropic');
    assert.equal(r.anthropic.messageRequests().length, 3);
  });

  it('an instance set to no fallback (an own empty chain) keeps the SDK\'s retries while the global chain is set', async () => {
    const { r } = await rig({}, undefined, 2);
    r.anthropic.enqueue({ kind: 'status', status: 529, retryAfter: '0' }, { kind: 'status', status: 529, retryAfter: '0' });
    r.fleet.spawn('none', { backend: 'anthropic', model: HAIKU, fallback: [] });
    assert.equal((await r.fleet.ask('none', 'hello')).backend, 'anthropic');
    assert.equal(r.anthropic.messageRequests().length, 3, 'the SDK retried twice, then the API answered');
    assert.equal(r.ollama.chatRequests().length, 0, 'no fallback for this instance');
  });

  it('a Retry-After retry and a move along the chain spend the same budget', async () => {
    const { r } = await rig({ maxAttempts: 2, maxRetryWaitMs: 3000 });
    r.anthropic.enqueue({ kind: 'status', status: 429, retryAfter: '0.05' }, { kind: 'status', status: 429, retryAfter: '0.05' });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    const e = await failedAsk(r.fleet.ask('a', 'hello'));
    assert.equal(e.kind, 'rate_limited');
    assert.equal(r.anthropic.messageRequests().length, 2);
    assert.equal(r.ollama.chatRequests().length, 0, 'the budget of 2 was spent on the same backend');
  });

  it('a per-instance chain wins over the global one', async () => {
    const { r } = await rig({ chain: [{ backend: 'openai', model: OPENAI_MODEL }] });
    r.anthropic.enqueue({ kind: 'status', status: 503 });
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU, fallback: TO_OLLAMA });
    assert.equal((await r.fleet.ask('a', 'hello')).backend, 'ollama');
    assert.equal(r.openai.chatRequests().length, 0);
  });
});

describe('fallback: a cancel before the stage runs', () => {
  it('passes an already-aborted signal on to the try, so nothing runs as if it had not been cancelled', async () => {
    const stage = fallbackStage({ health: new HealthRegistry(), settings: () => ({ ...DEFAULT_FALLBACK, chain: TO_OLLAMA }) });
    const cancelled = new AbortController();
    cancelled.abort();
    const spec = { backend: 'anthropic' as const, model: HAIKU, role: 'general' };
    const instance = { name: 'i', spec, status: 'busy', model: HAIKU, totals: { usage: emptyUsage(), cost: { usd: 0, unpricedRequests: 0 } }, transcript: [] };
    const request: TurnRequest = { askId: 'a', instance, target: { backend: 'anthropic', model: HAIKU }, history: [], signal: cancelled.signal };
    let seen: boolean | undefined;
    const e = await stage(request, async (req) => {
      seen = req.signal.aborted;
      throw new BackendError('cancelled', 'Cancelled.');
    }, () => {}).catch((x: unknown) => x);
    assert.equal(seen, true);
    assert.ok(e instanceof BackendError && e.kind === 'cancelled');
  });
});
