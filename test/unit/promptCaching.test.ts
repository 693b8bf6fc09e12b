import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequest, toApiMessages } from '../../src/core/backends/anthropic';
import type { SessionInit } from '../../src/core/backends/backend';
import { ANTHROPIC_PRICES } from '../../src/core/cost/prices';
import type { Message } from '../../src/core/transcript';
import { HAIKU, rig } from './helpers';

const init = (over: Partial<SessionInit>): SessionInit => ({ instanceName: 'x', model: HAIKU, role: 'general', options: {}, ...over });
const user = (text: string, id = text): Message => ({ id, role: 'user', text, at: 0 });
const answer = (text: string, id = text): Message => ({ id, role: 'assistant', text, at: 0, status: 'complete', model: HAIKU, backend: 'anthropic', latencyMs: 1 });
const words = (n: number) => 'lorem ipsum '.repeat(n); // 12 chars ≈ 3.4 tokens each

describe('prompt caching breakpoints', () => {
  it('marks nothing when the prefix is below the model’s minimum (4,096 tokens for Haiku 4.5)', () => {
    const req = buildRequest(init({ systemPrompt: 'short' }), [user('hi')], 100, ANTHROPIC_PRICES);
    assert.equal(JSON.stringify(req).includes('cache_control'), false);
  });

  it('marks a long system prompt and rolls a breakpoint onto the last message', () => {
    const req = buildRequest(init({ systemPrompt: words(1500) }), [user('q1'), answer('a1'), user('q2')], 100, ANTHROPIC_PRICES);
    assert.deepEqual((req.system as any[])[0].cache_control, { type: 'ephemeral' });
    const msgs = req.messages as any[];
    assert.deepEqual(msgs.at(-1).content[0].cache_control, { type: 'ephemeral' });
    assert.equal(msgs[0].content[0].cache_control, undefined, 'only the last message carries the rolling breakpoint');
  });

  it('marks the last message once the conversation itself reaches the minimum, even with a short system prompt', () => {
    const history = [user(words(800), 'u1'), answer(words(800), 'a1'), user('next')];
    const req = buildRequest(init({ systemPrompt: 'short' }), history, 100, ANTHROPIC_PRICES);
    assert.equal((req.system as any[])[0].cache_control, undefined);
    assert.deepEqual((req.messages as any[]).at(-1).content[0].cache_control, { type: 'ephemeral' });
  });

  it('uses each model’s own minimum (1,024 tokens for Sonnet 4.5)', () => {
    const system = words(400); // ≈ 1,370 tokens
    assert.ok(JSON.stringify(buildRequest(init({ model: 'claude-sonnet-4-5', systemPrompt: system }), [user('q')], 1, ANTHROPIC_PRICES)).includes('cache_control'));
    assert.ok(!JSON.stringify(buildRequest(init({ systemPrompt: system }), [user('q')], 1, ANTHROPIC_PRICES)).includes('cache_control'));
  });

  it('sends valid alternating turns: empty partial answers dropped, same-role neighbours joined', () => {
    const failed: Message = { ...(answer('') as any), status: 'error' };
    const msgs = toApiMessages([answer('orphan'), user('a'), failed, user('b'), answer('c')]);
    assert.deepEqual(msgs.map((m) => [m.role, (m.content as any[])[0].text]), [['user', 'a\n\nb'], ['assistant', 'c']]);
  });

  it('the breakpoint reaches the wire and moves forward each turn', async () => {
    const r = await rig();
    try {
      r.fleet.spawn('cached', { backend: 'anthropic', model: 'claude-sonnet-4-6', systemPrompt: words(1000) });
      await r.fleet.ask('cached', 'first');
      await r.fleet.ask('cached', 'second');
      const [one, two] = r.fake.messageRequests().map((q) => q.body);
      assert.deepEqual(one.system[0].cache_control, { type: 'ephemeral' });
      assert.deepEqual(one.messages[0].content[0].cache_control, { type: 'ephemeral' });
      assert.equal(two.messages[0].content[0].cache_control, undefined);
      assert.deepEqual(two.messages[2].content[0].cache_control, { type: 'ephemeral' });
    } finally {
      await r.close();
    }
  });
});
