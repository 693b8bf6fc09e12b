// Token counts before a request (src/core/context/): OpenAI's tokenizer, Claude's calibrated estimate and its
// count_tokens endpoint through the real SDK against the fake, Ollama's own counts, and the estimate's error.
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { modelToEncodingMap } from 'gpt-tokenizer/mapping';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { anthropicCountEndpoint } from '../../src/core/context/anthropicCount';
import { Calibration, ConversationTokens, EstimateAccuracy } from '../../src/core/context/calibration';
import { encodingFor } from '../../src/core/context/openaiTokenizer';
import { appendedTokens, CHARS_PER_TOKEN, countTokens, estimateTokens, familyKey, tokenFamily, type TokenMessage } from '../../src/core/context/tokens';
import { promptTokens } from '../../src/core/cost/usage';
import { Fleet } from '../../src/core/fleet';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake } from '../fixtures/ollamaFake';

const FOX = 'The quick brown fox jumps over the lazy dog.';
const user = (text: string): TokenMessage => ({ role: 'user', text });
const assistant = (text: string): TokenMessage => ({ role: 'assistant', text });
const pctError = (estimate: number, actual: number) => (Math.abs(estimate - actual) / actual) * 100;

describe('OpenAI models: the tokenizer, exactly', () => {
  it('counts known strings as gpt-tokenizer does, with the encoding each model uses', () => {
    assert.equal(estimateTokens(FOX, 'gpt-4o'), 10);
    assert.equal(estimateTokens('Hello, world!', 'gpt-4'), 4);
    assert.equal(estimateTokens('hello world', 'gpt-5'), 2);
    // The two vocabularies differ on non-English text: o200k_base needs fewer tokens.
    assert.equal(estimateTokens('Ünïcödé 東京 🚀', 'gpt-4.1'), 8);
    assert.equal(estimateTokens('Ünïcödé 東京 🚀', 'gpt-3.5-turbo'), 13);
    // A special token's text in a prompt is text to the API, not a reason to throw.
    assert.equal(estimateTokens('a <|endoftext|> b', 'gpt-4o'), 9);
  });

  it('picks o200k_base for the gpt-4o, 4.1, 5 and o families, cl100k_base for older ones, as the library maps them', () => {
    for (const m of ['gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-4.1', 'gpt-5', 'gpt-5.4-mini', 'o3', 'o4-mini', 'openai/gpt-4o']) assert.equal(encodingFor(m), 'o200k_base', m);
    for (const m of ['gpt-4', 'gpt-4-turbo', 'gpt-4-0613', 'gpt-3.5-turbo', 'text-embedding-3-small']) assert.equal(encodingFor(m), 'cl100k_base', m);
    for (const [m, enc] of Object.entries(modelToEncodingMap)) if (enc === 'cl100k_base' && /^gpt-/.test(m)) assert.equal(encodingFor(m), 'cl100k_base', m);
  });

  it('counts a chat as the library’s encodeChat does: 3 per message, its role, its text, and 3 to prime the reply', () => {
    const chat = [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: FOX }, { role: 'assistant', content: 'Noted.' }] as const;
    assert.equal(estimateTokens(chat, 'gpt-4o'), encodeChat(chat, 'gpt-4o').length);
    assert.equal(estimateTokens([user('hello world')], 'gpt-4o'), 9);
  });

  it('counts with the tokenizer in countTokens too, system prompt included', async () => {
    const c = await countTokens([user('hello world')], { model: 'gpt-4o-mini', system: 'Be kind.' });
    assert.deepEqual(c, { tokens: encodeChat([{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'hello world' }], 'gpt-4o').length, source: 'tokenizer' });
  });
});

describe('estimates for the other models', () => {
  it('keeps the plain character estimate without a model, and names each family', () => {
    assert.equal(CHARS_PER_TOKEN, 3.5);
    assert.equal(estimateTokens('x'.repeat(35)), 10);
    assert.equal(estimateTokens('x'.repeat(36), 'claude-sonnet-4-6'), 11);
    assert.equal(estimateTokens([user('x'.repeat(35))], 'claude'), 3 + 1 + 10 + 3);
    assert.deepEqual([tokenFamily('claude-haiku-4-5'), tokenFamily('gpt-4o'), tokenFamily('qwen2.5:7b', 'ollama'), tokenFamily('local-model', 'openai')], ['claude', 'openai', 'ollama', 'other']);
    assert.deepEqual([familyKey('claude-haiku-4-5-20251001'), familyKey('gpt-4'), familyKey('qwen2.5:7b', 'ollama')], ['claude:claude-haiku-4-5', 'openai:cl100k_base', 'ollama:qwen2.5']);
  });
});

/** A stand-in for Claude's tokenizer: denser than the estimate, with framing of its own, so the estimate starts off. */
function claudeCount(messages: readonly TokenMessage[]): number {
  return 12 + messages.reduce((n, m) => n + 5 + Math.ceil((m.text ?? '').length / 2.8), 0);
}

describe('Claude: an estimate calibrated by the usage reported earlier in the conversation', () => {
  const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ['token', 'budget', 'a', 'compression', 'of', 'routing'][(i + seed) % 6]).join(' ');

  it('converges toward the reported count over turns, and keeps the error per family', () => {
    const accuracy = new EstimateAccuracy();
    const conv = new ConversationTokens({ model: 'claude-sonnet-4-6', backend: 'anthropic', accuracy });
    const messages: TokenMessage[] = [{ role: 'system', text: 'You are terse.' }];
    const errors: number[] = [];
    for (let turn = 0; turn < 8; turn++) {
      messages.push(user(words(20 + turn * 7, turn)));
      const estimate = conv.estimate(messages);
      const reported = claudeCount(messages);
      errors.push(pctError(estimate, reported));
      conv.observe(messages, reported);
      messages.push(assistant(words(40 + turn * 3, turn + 1)));
    }
    assert.ok(errors[0] > 15, `the uncalibrated estimate is well off: ${errors[0]}%`);
    assert.ok(errors.slice(2).every((e) => e < errors[1]), `later turns beat the second: ${errors.map((e) => e.toFixed(2))}`);
    assert.ok(errors.at(-1)! < 0.5, `the last estimate is within 0.5%: ${errors.at(-1)}%`);
    assert.ok(conv.calibration.ratio > 1.15 && conv.calibration.ratio < 1.3, `the ratio learned: ${conv.calibration.ratio}`);
    const stats = accuracy.get('claude:claude-sonnet-4-6');
    assert.equal(stats.count, 8);
    assert.ok(stats.meanAbsPctError < errors[0] && stats.meanAbsPctError > 0);
    assert.deepEqual(Object.keys(accuracy.snapshot()), ['claude:claude-sonnet-4-6']);
  });

  it('applies the learned ratio to new text in a conversation that shares it', () => {
    const shared = new Calibration();
    const first = new ConversationTokens({ model: 'claude-haiku-4-5', calibration: shared, accuracy: new EstimateAccuracy() });
    const seen = [user(words(300, 0))];
    first.observe(seen, claudeCount(seen));
    const fresh = [user(words(250, 3))];
    const calibrated = new ConversationTokens({ model: 'claude-haiku-4-5', calibration: shared }).estimate(fresh);
    assert.ok(pctError(calibrated, claudeCount(fresh)) < 3, 'calibrated within 3%');
    assert.ok(pctError(estimateTokens(fresh, 'claude'), claudeCount(fresh)) > 15, 'uncalibrated off by more than 15%');
  });

  it('takes Claude Code’s hidden prompt as overhead, not as a ratio', () => {
    const accuracy = new EstimateAccuracy();
    const conv = new ConversationTokens({ model: 'claude-haiku-5-5', backend: 'claudeCode', accuracy });
    const turn1 = [user('Hi')];
    conv.observe(turn1, 20_000); // mostly the CLI's own system prompt and tools
    assert.equal(conv.calibration.samples, 0);
    assert.equal(accuracy.get(conv.key).count, 0, 'nothing to compare the first count with');
    const turn2 = [...turn1, assistant('Hello!'), user('How are you?')];
    assert.equal(conv.estimate(turn2), 20_000 + appendedTokens(turn2.slice(1), 'claude'));
  });
});

describe('Claude: the count_tokens endpoint through the real SDK', () => {
  let fake: AnthropicFake;
  before(async () => (fake = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY })));
  after(() => fake.close());
  const sdk = (apiKey = FAKE_ANTHROPIC_KEY) => new Anthropic({ apiKey, baseURL: fake.url, maxRetries: 0 });

  it('counts at the provider, with the system prompt and only non-empty turns', async () => {
    const messages = [{ role: 'system', text: 'From the transcript.' }, user('What is a token?'), assistant(''), assistant('A piece of text.'), user('And a budget?')];
    const c = await countTokens(messages, { model: 'claude-haiku-4-5', system: 'Be terse.', endpoint: anthropicCountEndpoint(sdk()) });
    const sent = fake.requests.filter((r) => r.path === '/v1/messages/count_tokens').at(-1)!;
    assert.equal(sent.refused, undefined);
    assert.deepEqual(sent.body, {
      model: 'claude-haiku-4-5',
      system: 'Be terse.\n\nFrom the transcript.',
      messages: [{ role: 'user', content: 'What is a token?' }, { role: 'assistant', content: 'A piece of text.' }, { role: 'user', content: 'And a budget?' }],
    });
    // The fake counts a quarter of the request body's characters, as it does for messages.
    assert.deepEqual(c, { tokens: Math.ceil(JSON.stringify(sent.body).length / 4), source: 'endpoint' });
  });

  it('falls back to the estimate, saying why, when the endpoint refuses', async () => {
    const c = await countTokens('Hello there', { model: 'claude-haiku-4-5', endpoint: anthropicCountEndpoint(sdk('sk-ant-wrong')) });
    assert.equal(c.tokens, estimateTokens('Hello there', 'claude'));
    assert.equal(c.source, 'estimate');
    assert.match(c.error ?? '', /401|x-api-key/);
  });

  it('builds later estimates on an endpoint count', async () => {
    const conv = new ConversationTokens({ model: 'claude-haiku-4-5', endpoint: anthropicCountEndpoint(sdk()), accuracy: new EstimateAccuracy() });
    const first = [user('Count me, please.')];
    const counted = await conv.count(first);
    assert.equal(counted.source, 'endpoint');
    const next = [...first, assistant('Counted.'), user('And now?')];
    assert.equal(conv.estimate(next), counted.tokens + appendedTokens(next.slice(1), 'claude'));
  });
});

describe('Ollama: the server’s own counts once it has answered', () => {
  it('estimates before the first answer, then builds on prompt_eval_count', async () => {
    const fake = await startOllamaFake();
    const fleet = new Fleet({ backends: [new OllamaBackend({ host: fake.url })] });
    try {
      const accuracy = new EstimateAccuracy();
      const conv = new ConversationTokens({ model: 'qwen2.5:7b', backend: 'ollama', accuracy });
      fleet.spawn('local', { backend: 'ollama', model: 'qwen2.5:7b' });
      const q1 = [user('How many tokens is this?')];
      assert.deepEqual(await conv.count(q1), { tokens: estimateTokens(q1, 'ollama'), source: 'estimate' });

      fake.enqueue({ kind: 'reply', deltas: ['About ', 'seven.'], promptEvalCount: 31 }, { kind: 'reply', deltas: ['Fine.'], promptEvalCount: 52 });
      const a1 = await fleet.ask('local', q1[0].text!);
      conv.observe(q1, promptTokens(a1.usage!));
      const q2 = [...q1, assistant(a1.text), user('And this?')];
      const ratio = 31 / estimateTokens(q1, 'ollama');
      assert.equal(conv.estimate(q2), 31 + Math.round(appendedTokens(q2.slice(1), 'ollama') * ratio));

      const a2 = await fleet.ask('local', 'And this?');
      conv.observe(q2, promptTokens(a2.usage!));
      assert.equal(conv.estimate(q2), 52, 'a prompt the server counted is its count');
      assert.equal(accuracy.get('ollama:qwen2.5').count, 2);
      // A server that counts only what it evaluated past its cache reports less for a longer prompt: not a count of it.
      const q3 = [...q2, assistant(a2.text), user('Cached?')];
      conv.observe(q3, 4);
      assert.equal(conv.estimate(q3), 52 + Math.round(appendedTokens(q3.slice(q2.length), 'ollama') * conv.calibration.ratio));
    } finally {
      await fleet.killAll();
      fleet.dispose();
      await fake.close();
    }
  });
});
