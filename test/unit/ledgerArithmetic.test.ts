// The ledger's arithmetic against figures worked out by hand: our cost, the cache's savings (negative for writes),
// the hit rate, the OpenAI convention (cached tokens inside prompt_tokens), an unpriced model, and the CLI's figure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceRequest } from '../../src/core/cost/cost';
import { cacheHitRate, Ledger, ledgerStage, type LedgerProblem } from '../../src/core/cost/ledger';
import { costsDiffer } from '../../src/core/cost/ledgerRecord';
import { AttemptTrace, recordsOfTurn } from '../../src/core/cost/ledgerRecords';
import { ANTHROPIC_PRICES } from '../../src/core/cost/prices';
import type { Usage } from '../../src/core/cost/usage';
import type { TurnRequest, TurnResult } from '../../src/core/turn/types';
import { HAIKU } from './helpers';
import { withLedgerRig } from './ledgerRig';
import { OPENAI_MODEL, type MixedFleetRig } from './mixedRig';

const close = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-ledger-');

/** A Fleet whose only stage is the ledger, pricing as the Fleet does (so the OpenAI override counts). */
async function rig(): Promise<{ ledger: Ledger; problems: LedgerProblem[] }> {
  const l = await start({ stages: ({ ledger, fleet }) => [ledgerStage(ledger, { price: (b, u, m) => fleet().price(b, u, m) })] });
  r = l.rig;
  return l;
}

describe('ledger arithmetic', () => {
  it('Anthropic: a 5-minute write costs more than uncached (negative savings), a read and a 1-hour write are priced by the table', async () => {
    const { ledger, problems } = await rig();
    r!.anthropic.enqueue(
      { kind: 'reply', text: 'one', usage: { input_tokens: 100, output_tokens: 200, cache_creation_input_tokens: 10_000, ephemeral_5m_input_tokens: 10_000 } },
      { kind: 'reply', text: 'two', usage: { input_tokens: 50, output_tokens: 100, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 4_000, ephemeral_1h_input_tokens: 4_000 } },
    );
    r!.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('a', 'first');
    await r!.fleet.ask('a', 'second');
    await ledger.flush();
    const [one, two] = await ledger.records(0, Date.now() + 1);
    // Haiku 4.5: $1 in, $5 out, 5m write $1.25, 1h write $2, read $0.10 per million.
    assert.deepEqual([one.input, one.cacheWrite5m, one.cacheWrite1h, one.cacheRead, one.output], [100, 10_000, 0, 0, 200]);
    close(one.usd, (100 * 1 + 10_000 * 1.25 + 200 * 5) / 1e6, 'turn 1 cost'); // 0.0136
    close(one.savedUsd, (10_100 * 1 + 200 * 5) / 1e6 - 0.0136, 'turn 1 savings'); // -0.0025
    assert.deepEqual([two.input, two.cacheWrite5m, two.cacheWrite1h, two.cacheRead, two.output], [50, 0, 4_000, 10_000, 100]);
    close(two.usd, (50 * 1 + 10_000 * 0.1 + 4_000 * 2 + 100 * 5) / 1e6, 'turn 2 cost'); // 0.00955
    close(two.savedUsd, (14_050 * 1 + 100 * 5) / 1e6 - 0.00955, 'turn 2 savings'); // +0.005
    assert.deepEqual([one.basis, one.priceVersion, one.outcome, one.model], ['table', ANTHROPIC_PRICES.version, 'ok', HAIKU]);

    const month = await ledger.query({ period: 'month' });
    close(month.total.usd, 0.0136 + 0.00955, 'month cost');
    close(month.total.savedUsd, -0.0025 + 0.005, 'month savings');
    close(cacheHitRate(month.total), 10_000 / (100 + 10_000 + 50 + 10_000 + 4_000), 'hit rate');
    assert.equal(month.total.unpriced, 0);
    assert.deepEqual(problems, []);
  });

  it('OpenAI: cached tokens are part of prompt_tokens; the ledger neither bills them twice nor misses the hit', async () => {
    const { ledger } = await rig();
    r!.openai.enqueue({ kind: 'reply', deltas: ['ok'], usage: { prompt_tokens: 1000, cached_tokens: 800, completion_tokens: 50 } });
    r!.fleet.spawn('o', { backend: 'openai', model: OPENAI_MODEL });
    await r!.fleet.ask('o', 'hi');
    const [rec] = await ledger.records(0, Date.now() + 1);
    assert.deepEqual([rec.input, rec.cacheRead, rec.output], [200, 800, 50], 'usage.ts: input excludes the cached tokens');
    // Override price: $0.15 in, $0.075 cached, $0.60 out per million.
    close(rec.usd, (200 * 0.15 + 800 * 0.075 + 50 * 0.6) / 1e6, 'cost'); // 0.00012
    close(rec.savedUsd, 800 * (0.15 - 0.075) / 1e6, 'savings'); // 0.00006
    assert.equal(rec.basis, 'override');
    close(cacheHitRate(rec), 0.8, 'hit rate is 800/1000, not 800/1800');
  });

  it('an unpriced model is counted apart, never as $0, and its savings are unknown', async () => {
    const { ledger } = await rig();
    r!.anthropic.enqueue(
      { kind: 'reply', text: 'x', model: 'claude-mystery-9', usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 1000 } },
      { kind: 'reply', text: 'y', usage: { input_tokens: 1000, output_tokens: 0 } },
    );
    r!.fleet.spawn('u', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('u', 'a');
    r!.fleet.spawn('p', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('p', 'b');
    const [unpriced] = await ledger.records(0, Date.now() + 1);
    assert.deepEqual([unpriced.model, unpriced.basis, unpriced.usd, unpriced.savedUsd], ['claude-mystery-9', 'unpriced', undefined, undefined]);
    const day = await ledger.query({ period: 'day', groupBy: 'instance' });
    assert.equal(day.total.unpriced, 1);
    close(day.total.usd, 1000 / 1e6, 'only the priced answer is in the dollars');
    assert.deepEqual([day.groups!.u.unpriced, day.groups!.u.usd, day.groups!.p.unpriced], [1, 0, 0]);
  });

  it('Ollama answers are local: $0 and no savings, not unpriced', async () => {
    const { ledger } = await rig();
    r!.ollama.enqueue({ kind: 'reply', deltas: ['hi'], promptEvalCount: 30, evalCount: 2 });
    r!.fleet.spawn('l', { backend: 'ollama', model: 'qwen2.5:7b' });
    await r!.fleet.ask('l', 'q');
    const [rec] = await ledger.records(0, Date.now() + 1);
    assert.deepEqual([rec.usd, rec.basis, rec.savedUsd, rec.input, rec.output], [0, 'local', 0, 30, 2]);
  });

  describe('a Claude Code answer with the CLI’s own figure', () => {
    const request = { instance: { name: 'cc' }, askId: 'ask-1', target: { backend: 'claudeCode', model: 'sonnet' }, signal: new AbortController().signal } as unknown as TurnRequest;
    const turn = (usage: Usage, model: string): TurnResult => ({
      text: 't', backend: 'claudeCode', model, usage, cost: priceRequest(usage, model, { table: ANTHROPIC_PRICES }), latencyMs: 900, firstTokenMs: 300, attempts: [{ backend: 'claudeCode', model: 'sonnet' }],
    });
    const record = (result: TurnResult) => recordsOfTurn({ request, trace: new AttemptTrace(() => 0), now: 1 }, result)[0];
    // claude-sonnet-4-5: $3 in, $15 out, 5m write $3.75, 1h write $6, read $0.30 per million.
    const usage = { input: 20, output: 400, cacheWrite5m: 2_000, cacheWrite1h: 1_000, cacheRead: 30_000, model: 'claude-sonnet-4-5-20250929' };
    const ours = (20 * 3 + 400 * 15 + 2_000 * 3.75 + 1_000 * 6 + 30_000 * 0.3) / 1e6; // 0.02856

    it('keeps both figures; equal ones are no mismatch', () => {
      const rec = record(turn({ ...usage, reportedCostUsd: ours }, usage.model));
      close(rec.usd, ours, 'ours');
      close(rec.reportedUsd, ours, 'theirs');
      assert.equal(rec.mismatch, undefined);
      close(rec.savedUsd, (33_020 * 3 + 400 * 15) / 1e6 - ours, 'savings: 30k reads save, 3k writes cost extra');
      assert.deepEqual([rec.latencyMs, rec.firstTokenMs, rec.askId, rec.tree], [900, 300, 'ask-1', 'cc']);
    });

    it('flags a 2% difference (under a cent) and a difference of over a cent (under 1%)', () => {
      assert.equal(record(turn({ ...usage, reportedCostUsd: ours * 1.02 }, usage.model)).mismatch, true);
      assert.equal(record(turn({ ...usage, reportedCostUsd: ours * 1.005 }, usage.model)).mismatch, undefined, '0.5% and $0.00014');
      assert.ok(costsDiffer(5, 5.02), '$0.02 on $5 (0.4%)');
      assert.ok(!costsDiffer(0.0023, 0.0023 + 1e-9), 'nano-dollar rounding of the CLI share');
    });

    it('a model our table does not know takes the CLI’s figure as its cost, labelled reported, with unknown savings', () => {
      const rec = record(turn({ ...usage, model: 'claude-sonnet-5-5', reportedCostUsd: 0.0123 }, 'claude-sonnet-5-5'));
      assert.deepEqual([rec.basis, rec.usd, rec.reportedUsd, rec.mismatch, rec.savedUsd], ['reported', 0.0123, 0.0123, undefined, undefined]);
    });
  });
});
