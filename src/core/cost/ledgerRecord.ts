/**
 * One line of the usage ledger, and the arithmetic over many: totals, cache hit rate, cache savings. Pure data, so
 * the stage that writes records, the per-month index and the queries all add up the same way.
 */
import type { ErrorKind } from '../errors';
import type { BackendKind } from '../kinds';
import type { EstimateSource } from '../turn/types';
import type { Cost } from './cost';
import { promptTokens } from './usage';

export const LEDGER_RECORD_VERSION = 1;

/** How an attempt ended. `blocked`: a stage refused before anything was sent (a budget, a policy). */
export type LedgerOutcome = 'ok' | 'error' | 'cancelled' | 'blocked';

/** One attempt of one ask at one backend. Failed attempts are records too: they show what a fallback cost in time. */
export interface LedgerRecord {
  readonly v: typeof LEDGER_RECORD_VERSION;
  /** When the attempt ended (ms since the epoch). The record is filed under this time's local month and day. */
  readonly at: number;
  readonly instance: string;
  /** The root of the instance's fork tree (itself when it was never forked), so a tree's spend can be summed. */
  readonly tree: string;
  readonly backend: BackendKind;
  /** The model the provider reported, else the one asked for. */
  readonly model: string;
  readonly askId: string;
  /** 0 for the first try of the ask, 1 for the first fallback, ... */
  readonly attempt: number;
  readonly input: number;
  readonly output: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
  /** Our cost. Absent when the model is unpriced, or nothing was billed (basis `none`): never a silent $0. */
  readonly usd?: number;
  /** `none`: the attempt reported no usage (it failed, was cancelled or blocked before any was billed). */
  readonly basis: Cost['basis'] | 'none';
  /** The backend's own figure for this attempt (Claude Code's share of `total_cost_usd`). */
  readonly reportedUsd?: number;
  /** Set when our cost and the backend's differ by more than a cent or 1%. */
  readonly mismatch?: true;
  /** The price table in force, so an old figure can be explained after the table moved on. */
  readonly priceVersion: string;
  /** What the cache saved against the same tokens uncached; negative when writes cost more than reads saved. */
  readonly savedUsd?: number;
  readonly latencyMs: number;
  readonly firstTokenMs?: number;
  readonly outcome: LedgerOutcome;
  readonly errorKind?: ErrorKind | 'unknown';
  /** The target this attempt replaced, when it was a retry elsewhere within the same ask. */
  readonly fallbackFrom?: { readonly backend: BackendKind; readonly model: string };
  /** Why this target was tried, when a stage chose it (the router's explanation, a fallback's reason). */
  readonly reason?: string;
  /** The user chose "Send anyway, once": the budget caps were not checked for this attempt. */
  readonly override?: 'budget';
  /** The budget stage's pre-flight estimate of the prompt tokens, to compare with the reported prompt (`promptTokens`). */
  readonly estimatedInput?: number;
  /** How that estimate was made (`count_tokens`: Claude's endpoint counted it exactly, for a close call at a cap). */
  readonly estimateSource?: EstimateSource;
}

/** |estimate − reported| / reported in percent, for a record with an estimate and a reported prompt; else undefined. */
export function estimateErrorPct(r: LedgerRecord): number | undefined {
  const reported = promptTokens(r);
  if (r.estimatedInput === undefined || !(reported > 0)) return undefined;
  return (Math.abs(r.estimatedInput - reported) / reported) * 100;
}

/** Rounding in the CLI's running total and float subtraction leave dust far below this; it is not a mismatch. */
const NOISE_USD = 1e-8;

/** "Differ by more than a cent or 1%": either is worth a look (1% catches a wrong table on small turns). */
export function costsDiffer(ours: number, theirs: number): boolean {
  const d = Math.abs(ours - theirs);
  return d > NOISE_USD && (d > 0.01 || d > 0.01 * Math.max(Math.abs(ours), Math.abs(theirs)));
}

/**
 * Whether an answer's two figures disagree: ours (from the price table or an override) and the backend's own. One
 * rule for the ledger's flag and the chat's mark.
 */
export function costMismatch(c: Cost | undefined): boolean {
  return c?.usd !== undefined && c.reportedUsd !== undefined && (c.basis === 'table' || c.basis === 'override') && costsDiffer(c.usd, c.reportedUsd);
}

/** Sums over a set of records. Counts, not averages, so totals of parts add up to the total of the whole. */
export interface LedgerTotals {
  records: number;
  ok: number;
  errors: number;
  cancelled: number;
  blocked: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** Dollars of the priced records only. */
  usd: number;
  /** Records that used tokens at a price nobody knows; counted apart, never added in as $0. */
  unpriced: number;
  /** Cache savings of the priced records. */
  savedUsd: number;
  /** Sum of the backends' own figures, where they gave one. */
  reportedUsd: number;
  mismatches: number;
  /** Sum of latencies, for an average: latencyMs / records. */
  latencyMs: number;
  /** Records whose pre-flight estimate can be compared with a reported prompt, and the sum of their % errors. */
  estimated: number;
  estimateErrorPct: number;
}

export function emptyTotals(): LedgerTotals {
  return { records: 0, ok: 0, errors: 0, cancelled: 0, blocked: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0, unpriced: 0, savedUsd: 0, reportedUsd: 0, mismatches: 0, latencyMs: 0, estimated: 0, estimateErrorPct: 0 };
}

export function addRecord(t: LedgerTotals, r: LedgerRecord): void {
  t.records++;
  if (r.outcome === 'ok') t.ok++;
  else if (r.outcome === 'error') t.errors++;
  else if (r.outcome === 'cancelled') t.cancelled++;
  else t.blocked++;
  t.input += r.input;
  t.output += r.output;
  t.cacheWrite5m += r.cacheWrite5m;
  t.cacheWrite1h += r.cacheWrite1h;
  t.cacheRead += r.cacheRead;
  if (r.usd !== undefined) t.usd += r.usd;
  else if (r.basis === 'unpriced') t.unpriced++;
  if (r.savedUsd !== undefined) t.savedUsd += r.savedUsd;
  if (r.reportedUsd !== undefined) t.reportedUsd += r.reportedUsd;
  if (r.mismatch) t.mismatches++;
  t.latencyMs += r.latencyMs;
  const e = estimateErrorPct(r);
  if (e !== undefined) {
    t.estimated++;
    t.estimateErrorPct += e;
  }
}

/** Field by field rather than over Object.keys: a year's summaries add tens of thousands of cells per query. */
export function addTotals(t: LedgerTotals, o: LedgerTotals): void {
  t.records += o.records;
  t.ok += o.ok;
  t.errors += o.errors;
  t.cancelled += o.cancelled;
  t.blocked += o.blocked;
  t.input += o.input;
  t.output += o.output;
  t.cacheWrite5m += o.cacheWrite5m;
  t.cacheWrite1h += o.cacheWrite1h;
  t.cacheRead += o.cacheRead;
  t.usd += o.usd;
  t.unpriced += o.unpriced;
  t.savedUsd += o.savedUsd;
  t.reportedUsd += o.reportedUsd;
  t.mismatches += o.mismatches;
  t.latencyMs += o.latencyMs;
  t.estimated += o.estimated;
  t.estimateErrorPct += o.estimateErrorPct;
}

/** Cache reads over every prompt-side token (uncached, written, read); undefined when nothing was sent. */
export function cacheHitRate(t: Pick<LedgerTotals, 'input' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number | undefined {
  const all = promptTokens(t);
  return all === 0 ? undefined : t.cacheRead / all;
}

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'error', 'cancelled', 'blocked']);
const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isOptNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/**
 * A parsed line that is really a record: anything else (a hand edit, a half-merged line, a later version's shape) is
 * corrupt for this reader, and skipped rather than summed as garbage.
 */
export function isLedgerRecord(x: unknown): x is LedgerRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    r.v === LEDGER_RECORD_VERSION &&
    typeof r.at === 'number' &&
    Number.isFinite(r.at) &&
    typeof r.instance === 'string' &&
    typeof r.tree === 'string' &&
    typeof r.backend === 'string' &&
    typeof r.model === 'string' &&
    typeof r.basis === 'string' &&
    typeof r.outcome === 'string' &&
    OUTCOMES.has(r.outcome) &&
    isCount(r.input) &&
    isCount(r.output) &&
    isCount(r.cacheWrite5m) &&
    isCount(r.cacheWrite1h) &&
    isCount(r.cacheRead) &&
    isCount(r.latencyMs) &&
    isOptNumber(r.usd) &&
    isOptNumber(r.savedUsd) &&
    isOptNumber(r.reportedUsd) &&
    (r.estimatedInput === undefined || isCount(r.estimatedInput)) &&
    (r.estimateSource === undefined || typeof r.estimateSource === 'string')
  );
}

/** `ledger-2026-11.jsonl`: the local month a time falls in, which is also the file its record goes to. */
export function monthOf(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** `2026-11-24`, local. */
export function dayOf(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
