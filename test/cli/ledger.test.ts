// The ledger behind a real Claude Code CLI (2.1.330) on the loopback fake: three turns whose usage the fake scripts
// (a 5-minute cache write, then reads and a 1-hour write, then reads), checked as the CLI maps them, as we price
// them, and as each ledger record holds that turn's share of the CLI's running `total_cost_usd`.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheHitRate, Ledger, ledgerStage, type LedgerProblem } from '../../src/core/cost/ledger';
import { ANTHROPIC_PRICES } from '../../src/core/cost/prices';
import type { AssistantMessage } from '../../src/core/transcript';
import { cliRig, type CliRig } from './helpers';

const MODEL = 'claude-haiku-4-5';
/** The scripted usage of each turn, as the API reports it. */
const TURNS = [
  { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 2_000, ephemeral_5m_input_tokens: 2_000 },
  { input_tokens: 5, output_tokens: 30, cache_read_input_tokens: 2_000, cache_creation_input_tokens: 3_000, ephemeral_1h_input_tokens: 3_000 },
  { input_tokens: 7, output_tokens: 40, cache_read_input_tokens: 5_000 },
];
// Haiku 4.5 by our table: $1 in, $5 out, 5m write $1.25, 1h write $2, read $0.10 per million.
const OURS = [(10 + 2_000 * 1.25 + 20 * 5) / 1e6, (5 + 2_000 * 0.1 + 3_000 * 2 + 30 * 5) / 1e6, (7 + 5_000 * 0.1 + 40 * 5) / 1e6];

describe('the ledger over a real Claude Code instance', () => {
  let rig: CliRig;
  let dir: string;
  let ledger: Ledger;
  const problems: LedgerProblem[] = [];
  const answers: AssistantMessage[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-cli-'));
    ledger = new Ledger({ dir, onProblem: (p) => problems.push(p) });
    rig = await cliRig({ fleet: { stages: [ledgerStage(ledger)] } });
    rig.fake.enqueue(...TURNS.map((usage, i) => ({ kind: 'reply' as const, text: `turn ${i + 1}`, usage })));
    rig.spawn('cc', { model: MODEL });
    for (const q of ['one', 'two', 'three']) answers.push(await rig.fleet.ask('cc', q));
    await ledger.flush();
  });
  after(async () => {
    await rig.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('maps the CLI’s usage: 5m and 1h writes apart, reads, uncached input', () => {
    assert.equal(rig.fake.messageRequests().length, 3);
    const mapped = answers.map((a) => [a.usage?.input, a.usage?.cacheWrite5m, a.usage?.cacheWrite1h, a.usage?.cacheRead, a.usage?.output]);
    assert.deepEqual(mapped, [
      [10, 2_000, 0, 0, 20],
      [5, 0, 3_000, 2_000, 30],
      [7, 0, 0, 5_000, 40],
    ]);
    for (const [i, a] of answers.entries()) {
      assert.equal(a.cost?.basis, 'table');
      assert.ok(Math.abs(a.cost!.usd! - OURS[i]) < 1e-12, `turn ${i + 1}: our cost ${a.cost?.usd}, by hand ${OURS[i]}`);
    }
  });

  it('each record holds that turn’s share of the CLI’s running cost, beside our own', async () => {
    const recs = await ledger.records(0, Date.now() + 1000);
    assert.equal(recs.length, 3);
    // The CLI's own running total after the third turn (what its last `total_cost_usd` said).
    const running = (rig.fleet.status('cc').session as { costUsd?: number } | undefined)?.costUsd;
    assert.ok(running !== undefined && Math.abs(running - (OURS[0] + OURS[1] + OURS[2])) < 1e-9, `the CLI's running total ${running}`);
    for (const [i, rec] of recs.entries()) {
      assert.deepEqual([rec.instance, rec.backend, rec.model, rec.attempt, rec.outcome, rec.basis], ['cc', 'claudeCode', MODEL, 0, 'ok', 'table']);
      assert.deepEqual([rec.input, rec.cacheWrite5m, rec.cacheWrite1h, rec.cacheRead, rec.output], [answers[i].usage!.input, answers[i].usage!.cacheWrite5m, answers[i].usage!.cacheWrite1h, answers[i].usage!.cacheRead, answers[i].usage!.output]);
      assert.ok(Math.abs(rec.usd! - OURS[i]) < 1e-12, `turn ${i + 1}: our cost`);
      // The CLI prices Haiku 4.5 as our table does (1h writes at 2x included), so its share of the running total is
      // our figure to the nano-dollar, and the records are not flagged. A running total would be off from turn 2 on.
      assert.ok(Math.abs(rec.reportedUsd! - OURS[i]) <= 1e-9, `turn ${i + 1}: the CLI's share ${rec.reportedUsd}, by hand ${OURS[i]}`);
      assert.equal(rec.mismatch, undefined);
    }
    assert.equal(new Set(recs.map((x) => x.askId)).size, 3, 'one ask each');
    assert.ok(Math.abs(recs.reduce((s, x) => s + x.reportedUsd!, 0) - running) < 1e-9, 'the shares add up to the running total');

    const day = await ledger.query({ period: 'day', instance: 'cc' });
    assert.ok(Math.abs(day.total.usd - (OURS[0] + OURS[1] + OURS[2])) < 1e-12);
    assert.equal(day.total.mismatches, 0);
    assert.equal(cacheHitRate(day.total), 7_000 / (22 + 2_000 + 3_000 + 7_000), 'reads over every prompt token');
    // Reads saved 0.9 of the input price; the 5m write cost 0.25 more, the 1h write 1.0 more.
    const saved = (7_000 * (1 - 0.1) - 2_000 * 0.25 - 3_000 * 1) / 1e6;
    assert.ok(Math.abs(day.total.savedUsd - saved) < 1e-12, `saved ${day.total.savedUsd}, by hand ${saved}`);
    assert.deepEqual(problems, []);
  });

  it('a price table that drifted from the CLI’s is flagged on the record, with both figures kept', async () => {
    // Say our table still had Haiku 4.5 at $0.80 in / $4 out (a stale row): the CLI charges list price, we do not.
    const stale = { ...ANTHROPIC_PRICES, version: 'stale-1', entries: ANTHROPIC_PRICES.entries.map((e) => (e.ids.includes(MODEL) ? { ...e, price: { ...e.price, input: 0.8, output: 4, cacheRead: 0.08 } } : e)) };
    const staleDir = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-cli-'));
    const staleLedger = new Ledger({ dir: staleDir });
    const other = await cliRig({ fleet: { stages: [ledgerStage(staleLedger, { priceVersion: stale.version })], pricing: { table: stale } } });
    try {
      other.fake.enqueue({ kind: 'reply', text: 'priced twice', usage: { input_tokens: 1_000, output_tokens: 1_000, cache_read_input_tokens: 10_000 } });
      other.spawn('drift', { model: MODEL });
      await other.fleet.ask('drift', 'q');
      await staleLedger.flush();
      const [rec] = await staleLedger.records(0, Date.now() + 1000);
      const theirs = (1_000 * 1 + 1_000 * 5 + 10_000 * 0.1) / 1e6; // 0.007
      const ours = (1_000 * 0.8 + 1_000 * 4 + 10_000 * 0.08) / 1e6; // 0.0056: 20% under, though only $0.0014
      assert.ok(Math.abs(rec.usd! - ours) < 1e-12 && Math.abs(rec.reportedUsd! - theirs) <= 1e-9, `${rec.usd} / ${rec.reportedUsd}`);
      assert.deepEqual([rec.mismatch, rec.priceVersion], [true, 'stale-1']);
      assert.equal((await staleLedger.query({ period: 'day' })).total.mismatches, 1);
    } finally {
      await other.close();
      await rm(staleDir, { recursive: true, force: true });
    }
  });
});
