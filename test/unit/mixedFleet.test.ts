import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { allTexts, lastUserText } from '../fixtures/anthropicFake';
import { HAIKU } from './helpers';
import { mixedFleetRig, OPENAI_MODEL, OPENAI_PRICE, type MixedFleetRig } from './mixedRig';

describe('A mixed fleet: Anthropic API, two Ollama workers and an OpenAI-compatible server', () => {
  let r: MixedFleetRig;
  beforeEach(async () => {
    r = await mixedFleetRig();
    r.fleet.spawn('cloud', { backend: 'anthropic', model: HAIKU, systemPrompt: 'You coordinate.' });
    r.fleet.spawn('local-1', { backend: 'ollama', model: 'qwen2.5:7b', role: 'worker' });
    r.fleet.spawn('local-2', { backend: 'ollama', model: 'llama3.2:3b', role: 'worker' });
    r.fleet.spawn('gpt', { backend: 'openai', model: OPENAI_MODEL });
  });
  afterEach(async () => r.close());

  it('broadcasts across kinds; each instance is counted and priced by its own rules', async () => {
    r.anthropic.fallback = { kind: 'reply', text: 'cloud says yes', usage: { input_tokens: 1200, output_tokens: 40 } };
    r.ollama.enqueue({ kind: 'reply', deltas: ['local ', 'one'], promptEvalCount: 30, evalCount: 2 }, { kind: 'reply', deltas: ['local ', 'two'], promptEvalCount: 31, evalCount: 2 });
    r.openai.enqueue({ kind: 'reply', deltas: ['gpt says so'], usage: { prompt_tokens: 500, cached_tokens: 100, completion_tokens: 20 } });
    const results = await r.fleet.broadcast('all', 'Is the build green?');
    assert.deepEqual(results.map((x) => [x.name, x.ok]), [['cloud', true], ['local-1', true], ['local-2', true], ['gpt', true]]);
    assert.equal(lastUserText(r.anthropic.messageRequests()[0].body), 'Is the build green?');
    assert.deepEqual(r.ollama.chatRequests().map((q) => q.body.messages.at(-1).content), ['Is the build green?', 'Is the build green?']);
    assert.equal(r.openai.chatRequests()[0].body.messages.at(-1).content, 'Is the build green?');

    const cloud = r.fleet.status('cloud');
    assert.equal(cloud.cost.usd, (1200 * 1 + 40 * 5) / 1e6, 'Haiku from the price table');
    const locals = ['local-1', 'local-2'].map((n) => r.fleet.status(n));
    assert.deepEqual(locals.map((s) => [s.usage.input, s.usage.output, s.cost.usd, s.cost.unpricedRequests]), [[30, 2, 0, 0], [31, 2, 0, 0]], 'Ollama is $0 but its tokens count');
    assert.ok(results.slice(1, 3).every((x) => x.cost?.basis === 'local'));
    const gpt = r.fleet.status('gpt');
    assert.deepEqual([gpt.usage.input, gpt.usage.cacheRead, gpt.usage.output], [400, 100, 20]);
    assert.ok(Math.abs(gpt.cost.usd - (400 * OPENAI_PRICE.input + 100 * OPENAI_PRICE.cacheRead + 20 * OPENAI_PRICE.output) / 1e6) < 1e-12, 'OpenAI from the override');
    assert.equal(results[3].cost?.basis, 'override');
  });

  it('relays an Ollama answer to the Anthropic instance and the reply back', async () => {
    r.ollama.enqueue({ kind: 'reply', deltas: ['Draft: ', 'use a queue.'] });
    await r.fleet.ask('local-1', 'Draft a design.');
    r.anthropic.enqueue({ kind: 'reply', text: 'Review: a queue is right, add backpressure.' });
    const review = await r.fleet.relay('local-1', 'cloud', { template: 'Review {{from}}: {{answer}}' });
    assert.equal(lastUserText(r.anthropic.messageRequests()[0].body), 'Review local-1: Draft: use a queue.');
    assert.equal(review.backend, 'anthropic');
    const revised = await r.fleet.relay('cloud', 'local-1');
    assert.equal(revised.backend, 'ollama');
    const seen = r.ollama.chatRequests()[1].body.messages;
    assert.deepEqual(seen.map((m: any) => m.role), ['user', 'assistant', 'user']);
    assert.equal(seen[2].content, 'Message from cloud:\n\nReview: a queue is right, add backpressure.');
    // And on to the OpenAI-compatible server.
    await r.fleet.relay('local-1', 'gpt');
    assert.match(r.openai.chatRequests()[0].body.messages.at(-1).content, /^Message from local-1:\n\nFAKE-OLLAMA qwen2\.5:7b/);
  });

  it('forks an Ollama worker onto the Anthropic API: text transcript, reasoning and tool calls written out, lineage records the crossing', async () => {
    r.ollama.enqueue({ kind: 'reply', deltas: ['The config lives in a.ts.'], thinking: 'Look for the config.', toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }] });
    await r.fleet.ask('local-1', 'Where is the config?');
    const child = await r.fleet.fork('local-1', 'escalated', { backend: 'anthropic', model: HAIKU });
    assert.equal(child.backend, 'anthropic');
    assert.deepEqual(child.lineage && [child.lineage.parent, child.lineage.fromBackend], ['local-1', 'ollama']);
    assert.equal(child.lineage?.forkPoint, r.fleet.get('local-1').transcript[1].id);
    r.anthropic.enqueue({ kind: 'reply', text: 'Confirmed.', usage: { input_tokens: 100, output_tokens: 2 } });
    const answer = await r.fleet.ask('escalated', 'Confirm it.');
    assert.deepEqual(allTexts(r.anthropic.messageRequests()[0].body), [
      'Where is the config?',
      '[reasoning]\nLook for the config.\n\n[tool call read_file] {"path":"a.ts"}\n\nThe config lives in a.ts.',
      'Confirm it.',
    ]);
    assert.equal(answer.cost?.basis, 'table');
    // The parent is untouched and still local.
    assert.equal(r.fleet.get('local-1').transcript.length, 2);
    assert.equal(r.fleet.status('local-1').cost.usd, 0);
  });

  it('forks the Anthropic instance down to a local worker and an OpenAI instance onto Ollama', async () => {
    r.anthropic.enqueue({ kind: 'reply', text: 'Plan: split into three tasks.' });
    await r.fleet.ask('cloud', 'Plan the work.');
    const worker = await r.fleet.fork('cloud', 'cheap-worker', { backend: 'ollama', model: 'llama3.2:3b' });
    assert.equal(worker.lineage?.fromBackend, 'anthropic');
    assert.equal(worker.systemPrompt, 'You coordinate.');
    await r.fleet.ask('cheap-worker', 'Do task one.');
    assert.deepEqual(r.ollama.chatRequests()[0].body.messages, [
      { role: 'system', content: 'You coordinate.' },
      { role: 'user', content: 'Plan the work.' },
      { role: 'assistant', content: 'Plan: split into three tasks.' },
      { role: 'user', content: 'Do task one.' },
    ]);
    r.openai.enqueue({ kind: 'reply', deltas: ['Forty-two.'], reasoning: 'Compute.' });
    await r.fleet.ask('gpt', 'Answer?');
    const local = await r.fleet.fork('gpt', 'gpt-local', { backend: 'ollama', model: 'qwen2.5:7b' });
    assert.equal(local.lineage?.fromBackend, 'openai');
    await r.fleet.ask('gpt-local', 'Again?');
    assert.equal(r.ollama.chatRequests()[1].body.messages[1].content, '[reasoning]\nCompute.\n\nForty-two.');
  });
});
