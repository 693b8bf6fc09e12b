// Fallback through the real Claude Code CLI: the Retry-After the CLI announces reaches the error (and so the chain's
// wait: dropping it from claudeCodeErrors' mapping fails these tests), and a chain that crosses from the CLI to the
// Anthropic API to Ollama, where each fake sees the whole conversation and the transcript stays one conversation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { AskFailedError } from '../../src/core/instance';
import { DEFAULT_FALLBACK, fallbackStage, type FallbackSettings } from '../../src/core/routing/fallback';
import { HealthRegistry } from '../../src/core/routing/health';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { cliRig, transcriptOf, type CliRig } from './helpers';

const HAIKU = 'claude-haiku-4-5';
const QWEN = 'qwen2.5:7b';

describe('the Retry-After the CLI announces (CLAUDE_CODE_MAX_RETRIES=1)', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
    rig.spawn('f');
  });
  after(() => rig.close());

  it('is on the rate_limited error: at least the 1 s the API asked for', async () => {
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 429, retryAfter: '1' });
    const e = await rig.fleet.ask('f', 'rate limited').then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof AskFailedError, String(e));
    assert.equal(e.kind, 'rate_limited');
    assert.ok((e.retryAfterMs ?? 0) >= 1000, `retryAfterMs ${e.retryAfterMs}: the CLI's announced delay did not reach the error`);
    const [first, second] = rig.fake.messageRequests().slice(-2);
    assert.ok(second.at - first.at >= 1000, 'the CLI itself waited the Retry-After');
  });
});

describe('a chain from the Claude Code CLI', () => {
  let rig: CliRig;
  let api: AnthropicFake;
  let ollama: OllamaFake;
  const settings: FallbackSettings = { ...DEFAULT_FALLBACK, maxRetryWaitMs: 5000, maxAttempts: 4, chain: [] };
  before(async () => {
    api = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
    ollama = await startOllamaFake([{ name: QWEN, contextLength: 32768, family: 'qwen2' }]);
    const health = new HealthRegistry({ failureThreshold: 10, cooldownMs: 200 });
    rig = await cliRig({
      extraBackends: () => [new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: api.url, maxRetries: 0 }), new OllamaBackend({ host: ollama.url })],
      fleet: { stages: [fallbackStage({ health, settings: () => settings })] },
    });
  });
  after(async () => {
    await rig.close();
    await Promise.all([api.close(), ollama.close()]);
  });

  it("waits out the CLI's Retry-After (1 s) within the cap and asks the CLI again, not the next link", async () => {
    rig.spawn('w', { fallback: [{ backend: 'anthropic', model: HAIKU }] });
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 429, retryAfter: '1' });
    // When the chain gave up the first try (its note) and when it started the next (its attempt event).
    const seen: Array<{ type: string; at: number; text?: string }> = [];
    const sub = rig.fleet.onDidTurnEvent((e) => e.name === 'w' && seen.push({ type: e.event.type, at: Date.now(), ...(e.event.type === 'note' ? { text: e.event.text } : {}) }));
    const answer = await rig.fleet.ask('w', 'limited then fine');
    sub.dispose();
    assert.equal(answer.backend, 'claudeCode', 'without the Retry-After the chain would have moved on to the API at once');
    assert.equal(api.messageRequests().length, 0);
    const waiting = seen.find((e) => e.type === 'note' && /Retry-After/.test(e.text ?? ''));
    assert.ok(waiting, JSON.stringify(seen));
    const retried = seen.filter((e) => e.type === 'attempt')[1];
    assert.ok(retried.at - waiting.at >= 1000, `the chain asked the CLI again ${retried.at - waiting.at} ms after its 429, before the Retry-After of 1 s`);
    assert.deepEqual(answer.attempts?.map((a) => [a.backend, a.error?.kind ?? 'ok']), [['claudeCode', 'rate_limited'], ['claudeCode', 'ok']]);
  });

  it('crosses CLI -> Anthropic API -> Ollama and back; each sees the whole conversation', async () => {
    rig.spawn('x', { fallback: [{ backend: 'anthropic', model: HAIKU }, { backend: 'ollama', model: QWEN }] });
    const first = await rig.fleet.ask('x', 'question one');
    assert.equal(first.backend, 'claudeCode');
    // Turn 2: the CLI is overloaded (it retries once), the API too; Ollama answers.
    rig.fake.enqueue({ kind: 'status', status: 529 }, { kind: 'status', status: 529 });
    api.enqueue({ kind: 'status', status: 529, errorType: 'overloaded_error' });
    ollama.enqueue({ kind: 'reply', deltas: ['Ollama ', 'says two.'] });
    const second = await rig.fleet.ask('x', 'question two');
    assert.equal(second.backend, 'ollama');
    assert.deepEqual(second.attempts?.map((a) => [a.backend, a.error?.kind ?? 'ok']), [['claudeCode', 'overloaded'], ['anthropic', 'overloaded'], ['ollama', 'ok']]);
    const toApi = transcriptOf(api.messageRequests().at(-1)!.body);
    assert.deepEqual(toApi, ['user: question one', `assistant: ${first.text}`, 'user: question two']);
    const toOllama = ollama.chatRequests().at(-1)!.body.messages.filter((m: { role: string }) => m.role !== 'system').map((m: { role: string; content: string }) => `${m.role}: ${m.content}`);
    assert.deepEqual(toOllama, toApi);
    // Turn 3: back on the CLI, which must now know Ollama's answer (its own session missed it).
    const third = await rig.fleet.ask('x', 'question three');
    assert.equal(third.backend, 'claudeCode');
    const toCli = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    for (const part of ['question one', first.text, 'question two', 'Ollama says two.', 'question three']) assert.ok(toCli.includes(part), `the CLI was not told: ${part}\n${toCli}`);
    assert.ok(!toCli.includes('stopped mid-answer'));
    // The transcript is one conversation: question, answer, alternating, each answer from the backend that gave it.
    const t = rig.fleet.get('x').transcript;
    assert.deepEqual(t.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    assert.deepEqual(t.filter((m) => m.role === 'assistant').map((m) => (m.role === 'assistant' ? m.backend : '')), ['claudeCode', 'ollama', 'claudeCode']);
  });
});

describe('a chain counts the CLI as one request per attempt (CLAUDE_CODE_MAX_RETRIES=0, as the extension sets it)', () => {
  let rig: CliRig;
  let api: AnthropicFake;
  before(async () => {
    api = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
    const settings: FallbackSettings = { ...DEFAULT_FALLBACK, chain: [{ backend: 'anthropic', model: HAIKU }] };
    rig = await cliRig({
      env: { CLAUDE_CODE_MAX_RETRIES: '0' },
      extraBackends: () => [new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: api.url, maxRetries: 0 })],
      fleet: { stages: [fallbackStage({ health: new HealthRegistry(), settings: () => settings })] },
    });
  });
  after(async () => {
    await rig.close();
    await api.close();
  });

  it('a 529 is one request to the CLI fake, then the API answers', async () => {
    rig.spawn('c');
    await rig.fleet.ask('c', 'warm up');
    const before = rig.fake.messageRequests().length;
    rig.fake.enqueue({ kind: 'status', status: 529 }, { kind: 'status', status: 529 });
    const answer = await rig.fleet.ask('c', 'overloaded once');
    assert.equal(answer.backend, 'anthropic');
    assert.equal(rig.fake.messageRequests().length - before, 1, 'the CLI retried inside one chain attempt');
    assert.equal(api.messageRequests().length, 1);
  });
});
