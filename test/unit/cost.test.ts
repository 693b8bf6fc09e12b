import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addCost, costOf, formatUsd, priceRequest } from '../../src/core/cost/cost';
import { ANTHROPIC_PRICES, canonicalModelId, findPrice } from '../../src/core/cost/prices';
import { HAIKU, rig } from './helpers';

const table = { table: ANTHROPIC_PRICES };
const usage = (u: Partial<Parameters<typeof costOf>[1]>) => ({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, ...u });
const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('cost per request', () => {
  it('prices input, output, cache writes (5m and 1h) and cache reads separately', () => {
    // Haiku 4.5: $1 in, $5 out, $1.25 5m write, $2 1h write, $0.10 read, per million tokens.
    const c = priceRequest(usage({ input: 100, output: 50, cacheRead: 10_000, cacheWrite5m: 2_000 }), 'claude-haiku-4-5-20251001', table);
    close(c.usd, 0.00385); // the figure the Claude Code CLI itself reports for this usage on claude-haiku-4-5
    assert.equal(c.basis, 'table');
    assert.equal(c.priceVersion, ANTHROPIC_PRICES.version);
    close(priceRequest(usage({ cacheWrite1h: 1_000_000 }), 'claude-haiku-4-5', table).usd, 2);
    close(priceRequest(usage({ input: 1_000_000, output: 1_000_000 }), 'claude-opus-4-1', table).usd, 90);
    close(priceRequest(usage({ cacheRead: 1_000_000 }), 'claude-sonnet-4-6', table).usd, 0.3);
  });

  it('matches the reported model id, with date suffixes and context tags', () => {
    assert.equal(canonicalModelId('claude-sonnet-5[1m]'), 'claude-sonnet-5');
    assert.equal(canonicalModelId('claude-haiku-4-5-20251001'), 'claude-haiku-4-5');
    assert.equal(findPrice(ANTHROPIC_PRICES, 'claude-sonnet-5-5'), undefined, 'a newer model is not priced as an older one');
    // The reported model wins over the one asked for.
    const c = priceRequest({ ...usage({ input: 1_000_000 }), model: 'claude-opus-4-8' }, 'opus', table);
    close(c.usd, 5);
  });

  it('reports an unknown model as unpriced, never as $0', () => {
    const c = priceRequest(usage({ input: 500, output: 5 }), 'my-custom-model', table);
    assert.equal(c.basis, 'unpriced');
    assert.equal(c.usd, undefined);
    assert.equal(formatUsd(c.usd), 'unpriced');
    const total = addCost(addCost({ usd: 0, unpricedRequests: 0 }, c), priceRequest(usage({ input: 1_000_000 }), HAIKU, table));
    assert.deepEqual(total, { usd: 1, unpricedRequests: 1 });
  });

  it('takes the backend’s own figure for a model the table does not know, marked as reported', () => {
    const c = priceRequest({ ...usage({ input: 500, output: 5 }), model: 'claude-haiku-5-5', reportedCostUsd: 0.000385 }, 'haiku', table);
    assert.deepEqual([c.basis, c.usd, c.reportedUsd], ['reported', 0.000385, 0.000385]);
    // A known model keeps our figure, with the backend's beside it for comparison.
    const known = priceRequest({ ...usage({ input: 1_000_000 }), model: 'claude-haiku-4-5', reportedCostUsd: 2 }, 'haiku', table);
    assert.deepEqual([known.basis, known.usd, known.reportedUsd], ['table', 1, 2]);
  });

  it('uses overrides before the table, and prices local models at $0', () => {
    const override = { input: 10, output: 20, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 1 };
    close(priceRequest(usage({ input: 1_000_000, cacheRead: 1_000_000 }), 'gpt-x', { ...table, overrides: { 'gpt-x': override } }).usd, 11);
    const local = priceRequest(usage({ input: 1000, output: 1000 }), 'qwen2.5', { ...table, local: true });
    assert.deepEqual([local.usd, local.basis], [0, 'local']);
  });

  it('formats small and large amounts honestly', () => {
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(0.00385), '$0.0039');
    assert.equal(formatUsd(0.5), '$0.5000');
    assert.equal(formatUsd(12.345), '$12.35');
  });

  it('prices a streamed answer end to end from the usage the API reports, cache fields included', async () => {
    const r = await rig();
    try {
      r.fake.enqueue({
        kind: 'reply',
        text: 'cached answer',
        usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 3_000, ephemeral_5m_input_tokens: 2_000, ephemeral_1h_input_tokens: 1_000 },
      });
      r.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
      const m = await r.fleet.ask('c', 'hi');
      assert.deepEqual({ ...m.usage, model: undefined }, { input: 100, output: 50, cacheRead: 10_000, cacheWrite5m: 2_000, cacheWrite1h: 1_000, model: undefined });
      close(m.cost?.usd, (100 * 1 + 50 * 5 + 10_000 * 0.1 + 2_000 * 1.25 + 1_000 * 2) / 1e6);
      // Without the 5m/1h split, a cache write is a 5-minute write (the default TTL).
      r.fake.enqueue({ kind: 'reply', text: 'x', usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 400 } });
      const m2 = await r.fleet.ask('c', 'again');
      assert.equal(m2.usage?.cacheWrite5m, 400);
      assert.equal(m2.usage?.cacheWrite1h, 0);
      assert.equal(r.fleet.status('c').usage.cacheRead, 10_000);
    } finally {
      await r.close();
    }
  });
});
