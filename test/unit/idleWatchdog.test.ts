import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import type { Backend } from '../../src/core/backends/backend';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { OpenAiBackend } from '../../src/core/backends/openai';
import { IdleWatchdog } from '../../src/core/backends/watchdog';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake } from '../fixtures/openaiFake';
import { HAIKU, until } from './helpers';

const IDLE_MS = 300;
/** Far below the test timeout, far above the idle period: a hang shows up as a failed bound, not a stuck run. */
const BOUND_MS = 3000;

/** One backend kind against its loopback fake, scripted to stall. */
interface Subject {
  readonly kind: 'anthropic' | 'openai' | 'ollama';
  readonly model: string;
  start(): Promise<{
    backend: Backend;
    /** Queue a stream that sends `after` deltas and then nothing, forever. */
    hang(after: number): void;
    /** Queue an answer whose headers (and first token) come only after `ms`. */
    slowStart(ms: number): void;
    /** True once every request's connection was given up by the client. */
    allAbandoned(): boolean;
    close(): Promise<void>;
  }>;
}

const SUBJECTS: Subject[] = [
  {
    kind: 'anthropic',
    model: HAIKU,
    async start() {
      const fake = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
      return {
        backend: new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: fake.url, maxRetries: 0, idleTimeoutMs: IDLE_MS }),
        hang: (after) => fake.enqueue({ kind: 'hang', after }),
        slowStart: (ms) => fake.enqueue({ kind: 'reply', text: 'late answer', delayMs: ms }),
        allAbandoned: () => fake.messageRequests().every((r) => r.abandoned),
        close: () => fake.close(),
      };
    },
  },
  {
    kind: 'openai',
    model: 'gpt-4o-mini',
    async start() {
      const fake = await startOpenAiFake(['gpt-4o-mini']);
      return {
        backend: new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0, idleTimeoutMs: IDLE_MS }),
        hang: (after) => fake.enqueue({ kind: 'hang', after }),
        slowStart: (ms) => fake.enqueue({ kind: 'reply', deltas: ['late ', 'answer'], delayMs: ms }),
        allAbandoned: () => fake.chatRequests().every((r) => r.abandoned),
        close: () => fake.close(),
      };
    },
  },
  {
    kind: 'ollama',
    model: 'qwen2.5:7b',
    async start() {
      const fake = await startOllamaFake();
      return {
        // numCtx from the setting: no /api/show first, so the chat is the only request.
        backend: new OllamaBackend({ host: fake.url, numCtx: 4096, idleTimeoutMs: IDLE_MS }),
        hang: (after) => fake.enqueue({ kind: 'hang', after }),
        slowStart: (ms) => fake.enqueue({ kind: 'reply', deltas: ['late ', 'answer'], delayMs: ms }),
        allAbandoned: () => fake.chatRequests().every((r) => r.abandoned),
        close: () => fake.close(),
      };
    },
  },
];

describe('the idle watchdog: a stream that goes quiet mid-answer fails as a timeout, on every API backend', () => {
  for (const subject of SUBJECTS) {
    it(`${subject.kind}: a stall after some deltas → timeout, the partial text kept, the connection let go`, { timeout: 15_000 }, async () => {
      const s = await subject.start();
      const fleet = new Fleet({ backends: [s.backend] });
      try {
        fleet.spawn('w', { backend: subject.kind, model: subject.model });
        s.hang(2);
        const started = Date.now();
        const failure = await fleet.ask('w', 'go').then(() => undefined, (e) => e);
        const elapsed = Date.now() - started;
        assert.ok(failure instanceof AskFailedError, `expected a failed ask, got ${failure}`);
        assert.equal(failure.kind, 'timeout');
        assert.match(failure.message, /went quiet for 300 ms/);
        assert.ok(failure.hint, 'the error says what to do');
        assert.equal(failure.answer.text, 'part0 part1 ');
        assert.equal(failure.answer.status, 'error');
        assert.equal(fleet.get('w').transcript.at(-1)?.text, 'part0 part1 ', 'the partial answer stays in the transcript');
        assert.ok(elapsed >= IDLE_MS && elapsed < BOUND_MS, `gave up after ${elapsed} ms`);
        await until(s.allAbandoned, 'the server to see the client go');
        assert.equal(fleet.status('w').status, 'error');
        // The instance is usable again: the next ask is answered.
        assert.ok((await fleet.ask('w', 'again')).text.length > 0);
      } finally {
        await fleet.killAll();
        fleet.dispose();
        await s.close();
      }
    });
  }

  it('a local server reading a long prompt is not a stall: Ollama and OpenAI-compatible wait for the first token', { timeout: 15_000 }, async () => {
    for (const subject of SUBJECTS.filter((x) => x.kind !== 'anthropic')) {
      const s = await subject.start();
      const fleet = new Fleet({ backends: [s.backend] });
      try {
        fleet.spawn('slow', { backend: subject.kind, model: subject.model });
        s.slowStart(IDLE_MS * 3);
        assert.equal((await fleet.ask('slow', 'a long prompt')).text, 'late answer', subject.kind);
      } finally {
        await fleet.killAll();
        fleet.dispose();
        await s.close();
      }
    }
  });

  it('Anthropic: a wait for the first event is watched too (the API answers message_start at once)', { timeout: 15_000 }, async () => {
    const s = await SUBJECTS[0].start();
    const fleet = new Fleet({ backends: [s.backend] });
    try {
      fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      s.hang(0);
      const failure = await fleet.ask('a', 'go').then(() => undefined, (e) => e);
      assert.ok(failure instanceof AskFailedError);
      assert.equal(failure.kind, 'timeout');
      assert.equal(failure.answer.text, '');
    } finally {
      await fleet.killAll();
      fleet.dispose();
      await s.close();
    }
  });
});

describe('IdleWatchdog', () => {
  it('aborts after a quiet period, never while events flow, and leaves the caller’s cancel as a cancel', async () => {
    const outer = new AbortController();
    const busy = new IdleWatchdog({ ms: 80, signal: outer.signal, what: 'The test stream', hint: 'h', watchFirstEvent: true });
    const ticker = setInterval(() => busy.touch(), 10);
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(ticker);
    assert.equal(busy.expired, false, 'events every 10 ms keep an 80 ms watchdog quiet');
    await until(() => busy.expired, 'the watchdog to expire once events stop', 1000);
    assert.equal(busy.signal.aborted, true);
    assert.equal(outer.signal.aborted, false, 'the caller’s own signal is untouched');
    assert.equal(busy.error().kind, 'timeout');
    assert.equal(busy.error().message, 'The test stream went quiet for 80 ms.');
    busy.dispose();

    const cancelled = new IdleWatchdog({ ms: 80, signal: outer.signal, what: 'x', hint: 'h', watchFirstEvent: false });
    outer.abort();
    assert.equal(cancelled.signal.aborted, true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cancelled.expired, false, 'a cancel is not a timeout, and an unstarted stream is not watched');
    cancelled.dispose();
  });

  it('reads the period in seconds once it is one', () => {
    const w = new IdleWatchdog({ ms: 120_000, signal: new AbortController().signal, what: 'The Anthropic API stream', hint: 'h', watchFirstEvent: true });
    w.dispose();
    assert.equal(w.error().message, 'The Anthropic API stream went quiet for 120 s.');
  });
});
