// The usage dashboard's figures: buckets in local time, per-backend stacks, breakdowns, gauges only for set caps,
// unpriced requests as counts (never $0), the top requests, and loadDashboard against a real ledger agreeing with
// a sum over its records.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Ledger, type LedgerRecord, type LedgerSummary } from '../../src/core/cost/ledger';
import { emptyTotals } from '../../src/core/cost/ledgerRecord';
import { breakdown, buckets, chartRange, figures, gauges, loadDashboard, series, topRequests, BUCKETS } from '../../src/vscode/dashboard/dashboardData';
import { spendStatus } from '../../src/vscode/dashboard/spendStatus';
import { parseWebviewMessage } from '../../src/webview/dashboard/protocol';

function rec(at: number, o: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    v: 1, at, instance: 'a', tree: 'a', backend: 'anthropic', model: 'claude-haiku-4-5', askId: `ask-${at}`, attempt: 0,
    input: 100, output: 50, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0.01, basis: 'table', priceVersion: 'test', savedUsd: 0, latencyMs: 100, outcome: 'ok', ...o,
  };
}

const NOW = new Date(2026, 10, 25, 15, 30).getTime(); // Wednesday 25 Nov 2026, local
const day = (d: number, h = 12) => new Date(2026, 10, d, h).getTime();

function summary(groups: Record<string, Partial<ReturnType<typeof emptyTotals>>>): LedgerSummary {
  const total = emptyTotals();
  const g = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, { ...emptyTotals(), ...v }]));
  for (const t of Object.values(g)) {
    total.usd += t.usd;
    total.unpriced += t.unpriced;
    total.records += t.records;
  }
  return { from: 0, to: 1, total, groups: g };
}

describe('dashboard buckets and series', () => {
  it('has BUCKETS periods, local, contiguous, the current one last', () => {
    for (const p of ['day', 'week', 'month'] as const) {
      const bs = buckets(p, NOW);
      assert.equal(bs.length, BUCKETS[p]);
      for (let i = 1; i < bs.length; i++) assert.equal(bs[i].from, bs[i - 1].to, `${p} buckets touch`);
      assert.ok(bs.at(-1)!.from <= NOW && NOW < bs.at(-1)!.to);
    }
    assert.equal(buckets('day', NOW).at(-1)!.label, '11-25');
    assert.equal(buckets('week', NOW).at(-1)!.label, 'wk 11-23'); // Monday
    assert.equal(buckets('month', NOW).at(-1)!.label, '2026-11');
    assert.equal(buckets('month', NOW)[0].label, '2025-12');
    assert.deepEqual(chartRange('day', NOW), { from: buckets('day', NOW)[0].from, to: new Date(2026, 10, 26).getTime() });
  });

  it('folds day groups into week buckets per backend, leaving out backends with no records', () => {
    const bs = buckets('week', NOW);
    const s = series(bs, {
      anthropic: summary({ '2026-11-23': { usd: 1, records: 1 }, '2026-11-25': { usd: 2, records: 1 }, '2026-11-16': { usd: 4, records: 1 } }),
      openai: summary({ '2026-11-24': { unpriced: 3, records: 3 } }),
      ollama: summary({}),
    });
    assert.deepEqual(s.stacks.map((x) => x.backend), ['anthropic', 'openai']);
    assert.equal(s.stacks[0].usd.at(-1), 3);
    assert.equal(s.stacks[0].usd.at(-2), 4);
    assert.equal(s.stacks[1].unpriced.at(-1), 3);
    assert.equal(s.stacks[1].usd.at(-1), 0);
    assert.equal(s.labels.length, bs.length);
  });
});

describe('dashboard breakdowns, gauges and top requests', () => {
  it('sorts rows by spend, then unpriced rows, keeping the unpriced count apart', () => {
    const rows = breakdown(summary({ cheap: { usd: 0.5, records: 2 }, dear: { usd: 3, records: 1 }, unknown: { unpriced: 4, records: 4 } }));
    assert.deepEqual(rows.map((r) => r.key), ['dear', 'cheap', 'unknown']);
    assert.deepEqual({ usd: rows[2].usd, unpriced: rows[2].unpriced }, { usd: 0, unpriced: 4 });
  });

  it('gives the cache hit rate over all prompt tokens, and none when nothing was sent', () => {
    assert.equal(figures({ ...emptyTotals(), input: 25, cacheWrite5m: 25, cacheRead: 50 }).hitRate, 0.5);
    assert.equal('hitRate' in figures(emptyTotals()), false);
  });

  it('draws a gauge only for a set, positive cap; the tree cap against all-time spend', () => {
    const today = summary({ a: { usd: 2, records: 1 } });
    const allTime = summary({ a: { usd: 9, records: 3 }, b: { usd: 1, records: 1 } });
    assert.deepEqual(gauges(today, allTime, {}), []);
    assert.deepEqual(gauges(today, allTime, { dailyUsd: 0 }), []);
    const g = gauges(today, allTime, { dailyUsd: 5, treeUsd: 10 });
    assert.deepEqual(g.map((x) => [x.label, x.spentUsd, x.capUsd]), [['Today, all instances', 2, 5], ['Tree a, all time', 9, 10], ['Tree b, all time', 1, 10]]);
  });

  it('lists the dearest priced attempts, never unpriced ones', () => {
    const top = topRequests([rec(1, { usd: 0.2 }), rec(2, { usd: undefined, basis: 'unpriced' }), rec(3, { usd: 0.9, instance: 'b' }), rec(4, { usd: 0 })], 10);
    assert.deepEqual(top.map((t) => [t.instance, t.usd]), [['b', 0.9], ['a', 0.2]]);
  });
});

describe('loadDashboard against a real ledger', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'llm-fleet-dash-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('matches a sum over the records, by period, backend, model and instance', async () => {
    const ledger = new Ledger({ dir, now: () => NOW });
    const records = [
      rec(day(25, 9), { usd: 0.5, savedUsd: 0.1, cacheRead: 300, input: 100, instance: 'ada', model: 'claude-sonnet-4-5' }),
      rec(day(25, 10), { usd: 0.25, instance: 'bob' }),
      rec(day(25, 11), { usd: undefined, basis: 'unpriced', backend: 'openai', model: 'mystery', instance: 'cy' }),
      rec(day(24), { usd: 1, instance: 'ada' }),
      rec(day(2), { usd: 4, instance: 'ada' }),
      rec(new Date(2026, 9, 30).getTime(), { usd: 8, instance: 'old', tree: 'old' }),
    ];
    for (const r of records) await ledger.append(r);
    const v = await loadDashboard(ledger, 'day', NOW, { dailyUsd: 2, treeUsd: 10 });
    assert.equal(v.periodLabel, 'today');
    assert.ok(Math.abs(v.totals.usd - 0.75) < 1e-9);
    assert.equal(v.totals.unpriced, 1);
    assert.equal(v.totals.records, 3);
    assert.ok(Math.abs(v.totals.savedUsd - 0.1) < 1e-9);
    assert.equal(v.totals.hitRate, 300 / (300 + 300));
    assert.deepEqual(v.byBackend.map((r) => [r.key, r.unpriced]), [['anthropic', 0], ['openai', 1]]);
    assert.deepEqual(v.byInstance.map((r) => r.key), ['ada', 'bob', 'cy']);
    assert.deepEqual(v.byModel.map((r) => r.key), ['claude-sonnet-4-5', 'claude-haiku-4-5', 'mystery']);
    // The chart's last two days; the 2nd is outside 14 days, as is October.
    const anthropic = v.series.stacks.find((s) => s.backend === 'anthropic')!;
    assert.deepEqual(anthropic.usd.slice(-2), [1, 0.75]);
    assert.equal(anthropic.usd.reduce((a, b) => a + b, 0), 1.75);
    assert.deepEqual(v.series.stacks.find((s) => s.backend === 'openai')!.unpriced.at(-1), 1);
    assert.deepEqual(v.gauges.map((g) => [g.label, g.spentUsd]), [['Today, all instances', 0.75], ['Tree old, all time', 8], ['Tree a, all time', 5.75]]);
    const month = await loadDashboard(ledger, 'month', NOW, {});
    assert.equal(month.totals.usd, 5.75);
    assert.equal(month.series.stacks.find((s) => s.backend === 'anthropic')!.usd.at(-2), 8);
    assert.deepEqual(month.gauges, []);
  });
});

describe('status bar spend text', () => {
  it('shows dollars, unpriced as a count, and the daily cap when set', () => {
    assert.equal(spendStatus({ usd: 0.5, unpriced: 0, records: 2 }, undefined).text, '$0.50 today');
    const s = spendStatus({ usd: 4.5, unpriced: 2, records: 5 }, 5);
    assert.equal(s.text, '$4.50 / $5.00 today+');
    assert.equal(s.level, 'near');
    assert.match(s.tooltip, /2 request\(s\) used a model with no known price/);
    assert.equal(spendStatus({ usd: 6, unpriced: 0, records: 1 }, 5).level, 'over');
    assert.equal(spendStatus({ usd: 0, unpriced: 0, records: 0 }, undefined).text, '$0.00 today');
  });
});

describe('dashboard protocol', () => {
  it('accepts the page commands and nothing else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'setPeriod', period: 'week' }), { type: 'setPeriod', period: 'week' });
    assert.equal(parseWebviewMessage({ type: 'setPeriod', period: 'year' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'csv' }), { type: 'export', format: 'csv' });
    assert.equal(parseWebviewMessage({ type: 'export', format: 'xlsx' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'openRequest', instance: '', askId: 'x' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'runCommand', command: 'x' }), undefined);
    assert.equal(parseWebviewMessage(null), undefined);
  });
});
