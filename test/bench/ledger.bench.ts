/**
 * The usage ledger at scale.
 * 1. 1,000,000 records over a year (30 instances in 8 fork trees, 4 backends, 6 models) appended as fast as they
 *    come (batched by the store), then 10,000 appended one at a time, each awaited (one write per record: the cost
 *    of a single turn's record). Records per second for both.
 * 2. Queries over those records: one day, one instance's month, one tree's month; by a full scan of the JSONL, from
 *    the saved per-month summary in a new Ledger (a new window), and from the summary kept in memory.
 * 3. A year of heavy use, 300,000 records: load and aggregate the whole year grouped by instance, in a fresh Ledger
 *    (a new window), by full scan and from the saved per-month summaries. Goal: under 200 ms.
 * Nothing here asserts a time; it prints figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ledger, type LedgerRecord, type LedgerSummary } from '../../src/core/cost/ledger';
import type { LedgerRange } from '../../src/core/cost/ledgerQuery';
import { fmt, median, spread } from './stats';

const BACKENDS = ['anthropic', 'claudeCode', 'ollama', 'openai'] as const;
const MODELS = ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-opus-4-8', 'qwen2.5:7b', 'gpt-4o-mini', 'claude-sonnet-5'];
const INSTANCES = Array.from({ length: 30 }, (_, i) => `worker-${i}`);
const treeOf = (instance: number) => `worker-${instance % 8}`;
const YEAR_FROM = new Date(2025, 0, 1).getTime();
const YEAR_TO = new Date(2026, 0, 1).getTime();

/** A realistic record: a Claude answer with cache reads, a Claude Code figure now and then, an error in 50. */
function record(i: number, n: number): LedgerRecord {
  const inst = i % INSTANCES.length;
  const b = BACKENDS[i % 4];
  const ok = i % 50 !== 0;
  return {
    v: 1, at: YEAR_FROM + Math.floor(((YEAR_TO - YEAR_FROM) * i) / n), instance: INSTANCES[inst], tree: treeOf(inst), backend: b, model: MODELS[i % MODELS.length],
    askId: `3f2c9a7e-${String(i).padStart(12, '0')}`, attempt: ok ? 0 : 1,
    input: ok ? 20 + (i % 400) : 0, output: ok ? 300 + (i % 900) : 0, cacheWrite5m: i % 5 === 0 ? 4096 : 0, cacheWrite1h: i % 17 === 0 ? 2048 : 0, cacheRead: ok ? 12_000 + (i % 3000) : 0,
    ...(ok ? { usd: 0.0123 + (i % 100) / 1e5, basis: 'table' as const, savedUsd: 0.0311 } : { basis: 'none' as const }),
    ...(b === 'claudeCode' && ok ? { reportedUsd: 0.0123 + (i % 100) / 1e5 } : {}),
    priceVersion: '2026-11.1', latencyMs: 800 + (i % 4000), ...(ok ? { firstTokenMs: 300 + (i % 700) } : {}),
    outcome: ok ? 'ok' : 'error', ...(ok ? {} : { errorKind: 'overloaded' as const }),
  };
}

async function writeAll(ledger: Ledger, n: number): Promise<number> {
  const started = performance.now();
  const CHUNK = 10_000;
  for (let i = 0; i < n; i += CHUNK) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + CHUNK); j++) batch.push(ledger.append(record(j, n)));
    await Promise.all(batch);
  }
  await ledger.flush();
  return performance.now() - started;
}

async function timed(f: () => Promise<LedgerSummary>): Promise<{ ms: number; s: LedgerSummary }> {
  const t = performance.now();
  const s = await f();
  return { ms: performance.now() - t, s };
}

async function rounds(n: number, f: () => Promise<LedgerSummary>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await timed(f)).ms);
  return out;
}

const ms = (xs: number[]) => `median ${fmt(median(xs), 1)} ms (${spread(xs).map((x) => fmt(x, 1)).join('–')})`;
const dirBytes = (dir: string, suffix: string) => readdirSync(dir).filter((f) => f.endsWith(suffix)).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

async function main(): Promise<void> {
  const problems: string[] = [];
  const onProblem = (p: { message: string }) => problems.push(p.message);

  // 1. Writing.
  const big = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-bench-'));
  const N = 1_000_000;
  const writeMs = await writeAll(new Ledger({ dir: big, onProblem }), N);
  console.log(`wrote ${N.toLocaleString('en-US')} records in ${fmt(writeMs / 1000)} s: ${fmt(N / (writeMs / 1000), 0)} records/s (${fmt(dirBytes(big, '.jsonl') / 1e6, 0)} MB, ${fmt(dirBytes(big, '.jsonl') / N, 0)} B/record)`);
  const single = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-bench-'));
  const one = new Ledger({ dir: single, onProblem });
  const t1 = performance.now();
  for (let i = 0; i < 10_000; i++) await one.append(record(i, 10_000));
  const oneMs = performance.now() - t1;
  console.log(`one at a time, each awaited: ${fmt(10_000 / (oneMs / 1000), 0)} records/s (${fmt((oneMs * 1000) / 10_000, 0)} µs per record)`);
  await rm(single, { recursive: true, force: true });

  // 2. Queries over the million.
  const at = new Date(2025, 6, 15, 12).getTime();
  const queries: Array<[string, Omit<LedgerRange, 'from' | 'to'> & { period: 'day' | 'month' }]> = [
    ['one day (15 July), by instance', { period: 'day', groupBy: 'instance' }],
    ['one instance, July, by day', { period: 'month', instance: 'worker-7', groupBy: 'day' }],
    ['one tree, July, by instance', { period: 'month', tree: 'worker-3', groupBy: 'instance' }],
  ];
  const scanner = new Ledger({ dir: big, useIndex: false, onProblem });
  const built = await timed(() => new Ledger({ dir: big, onProblem }).query({ period: 'month', at }));
  console.log(`July's summary, built from its ${built.s.total.records.toLocaleString('en-US')} records by the first query after the writes: ${fmt(built.ms, 0)} ms`);
  const indexed = new Ledger({ dir: big, onProblem });
  for (const [name, q] of queries) {
    const scan = await rounds(5, () => scanner.query({ ...q, at }));
    const fresh = await rounds(11, () => new Ledger({ dir: big, onProblem }).query({ ...q, at }));
    await indexed.query({ ...q, at });
    const warm = await rounds(21, () => indexed.query({ ...q, at }));
    const { s } = await timed(() => indexed.query({ ...q, at }));
    console.log(`${name} (${s.total.records.toLocaleString('en-US')} records): full scan ${ms(scan)}; saved summary, new window ${ms(fresh)}; in memory ${ms(warm)}`);
  }
  await rm(big, { recursive: true, force: true });

  // 3. A year of heavy use, loaded by a new window.
  const year = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-bench-'));
  const Y = 300_000;
  await writeAll(new Ledger({ dir: year, onProblem }), Y);
  const whole: LedgerRange = { from: YEAR_FROM, to: YEAR_TO, groupBy: 'instance' };
  const scan = await rounds(5, () => new Ledger({ dir: year, useIndex: false, onProblem }).summarize(whole));
  const build = await timed(() => new Ledger({ dir: year, onProblem }).summarize(whole));
  const fresh = await rounds(11, () => new Ledger({ dir: year, onProblem }).summarize(whole));
  const kept = new Ledger({ dir: year, onProblem });
  await kept.summarize(whole);
  const warm = await rounds(21, () => kept.summarize(whole));
  const byDay = await rounds(11, () => new Ledger({ dir: year, onProblem }).summarize({ ...whole, groupBy: 'day' }));
  console.log(`a year, ${build.s.total.records.toLocaleString('en-US')} records (${fmt(dirBytes(year, '.jsonl') / 1e6, 0)} MB of JSONL, ${fmt(dirBytes(year, '.index.json') / 1e3, 0)} kB of summaries), by instance:`);
  console.log(`  full scan, new window: ${ms(scan)}   (goal < 200 ms)`);
  console.log(`  summaries built from the JSONL (first run after an upgrade): ${fmt(build.ms, 0)} ms`);
  console.log(`  saved summaries, new window: ${ms(fresh)}   (goal < 200 ms); grouped by day: ${ms(byDay)}`);
  console.log(`  summaries kept in memory: ${ms(warm)}`);
  await rm(year, { recursive: true, force: true });
  if (problems.length) console.log(`problems: ${problems.length}, first: ${problems[0]}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
