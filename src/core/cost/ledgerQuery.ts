/**
 * Questions asked of the ledger: what a day, week or month cost (local time), by instance, tree, backend or model.
 * Periods are computed on the caller's clock; filters and groupings apply the same way to raw records and to the
 * per-month index cells, so both paths give the same figures.
 */
import type { BackendKind } from '../kinds';
import { tokenFamily, type TokenFamily } from '../context/tokens';
import { canonicalModelId } from './prices';
import { addRecord, addTotals, dayOf, emptyTotals, monthOf, type LedgerRecord, type LedgerTotals } from './ledgerRecord';

export type LedgerPeriod = 'day' | 'week' | 'month';
/** `family`: how a model's tokens are counted (../context/tokens.ts `tokenFamily`: openai, claude, ollama, other). */
export type LedgerGroupBy = 'instance' | 'tree' | 'backend' | 'model' | 'day' | 'family';

export interface LedgerFilter {
  readonly instance?: string;
  readonly tree?: string;
  readonly backend?: BackendKind;
  /** Matched on the canonical id, so `claude-haiku-4-5` finds `claude-haiku-4-5-20251001` too. */
  readonly model?: string;
}

export interface LedgerRange extends LedgerFilter {
  /** Start (inclusive) and end (exclusive), ms. Local midnights let the index answer; other bounds scan records. */
  readonly from: number;
  readonly to: number;
  readonly groupBy?: LedgerGroupBy;
}

export interface LedgerSummary {
  readonly from: number;
  readonly to: number;
  readonly total: LedgerTotals;
  /** Present when grouped: one entry per instance, tree, backend, model or local day. */
  readonly groups?: Record<string, LedgerTotals>;
}

/** Where a period around `at` starts and ends, local time. A week starts on Monday; days may be 23 or 25 h (DST). */
export function periodRange(period: LedgerPeriod, at: number): { from: number; to: number } {
  const d = new Date(at);
  const y = d.getFullYear();
  const m = d.getMonth();
  const day = d.getDate();
  if (period === 'day') return { from: new Date(y, m, day).getTime(), to: new Date(y, m, day + 1).getTime() };
  if (period === 'month') return { from: new Date(y, m, 1).getTime(), to: new Date(y, m + 1, 1).getTime() };
  const monday = day - ((d.getDay() + 6) % 7);
  return { from: new Date(y, m, monday).getTime(), to: new Date(y, m, monday + 7).getTime() };
}

/** The months (`2026-11`) a range touches, in order. */
export function monthsIn(from: number, to: number): string[] {
  const out: string[] = [];
  const d = new Date(from);
  for (let t = new Date(d.getFullYear(), d.getMonth(), 1).getTime(); t < to; ) {
    out.push(monthOf(t));
    const c = new Date(t);
    t = new Date(c.getFullYear(), c.getMonth() + 1, 1).getTime();
  }
  return out;
}

/** Local midnight at the start of a month (`2026-11`) and of the next. */
export function monthBounds(month: string): { from: number; to: number } {
  const [y, m] = month.split('-').map(Number);
  return { from: new Date(y, m - 1, 1).getTime(), to: new Date(y, m, 1).getTime() };
}

export function isLocalMidnight(t: number): boolean {
  const d = new Date(t);
  return d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0 && d.getMilliseconds() === 0;
}

/** The fields a record is filed and filtered by; an index cell holds exactly these plus its totals. */
export interface CellKey {
  readonly day: string;
  readonly instance: string;
  readonly tree: string;
  readonly backend: string;
  readonly model: string;
}
export interface Cell extends CellKey {
  readonly totals: LedgerTotals;
}

/** Matches filters and buckets rows; `day` bounds are local dates (`2026-11-24`) for the index cells. */
export class Aggregator {
  readonly total = emptyTotals();
  private readonly groups = new Map<string, LedgerTotals>();
  private readonly model: string | undefined;
  private readonly firstDay: string;
  private readonly lastDay: string;

  constructor(private readonly q: LedgerRange) {
    this.model = q.model === undefined ? undefined : canonicalModelId(q.model);
    this.firstDay = dayOf(q.from);
    this.lastDay = dayOf(q.to - 1);
  }

  private matches(k: Omit<CellKey, 'day'>): boolean {
    const q = this.q;
    return (
      (q.instance === undefined || k.instance === q.instance) &&
      (q.tree === undefined || k.tree === q.tree) &&
      (q.backend === undefined || k.backend === q.backend) &&
      (this.model === undefined || k.model === q.model || canonicalModelId(k.model) === this.model)
    );
  }

  private group(key: string): LedgerTotals {
    return this.groups.get(key) ?? this.groups.set(key, emptyTotals()).get(key)!;
  }

  record(r: LedgerRecord): void {
    if (r.at < this.q.from || r.at >= this.q.to || !this.matches(r)) return;
    addRecord(this.total, r);
    const by = this.q.groupBy;
    if (by) addRecord(this.group(by === 'day' ? dayOf(r.at) : by === 'family' ? familyOf(r) : r[by]), r);
  }

  /** `whole`: a whole-month cell of a month the range covers, so its day is not checked (and not a day). */
  cell(c: Cell, whole = false): void {
    if ((!whole && (c.day < this.firstDay || c.day > this.lastDay)) || !this.matches(c)) return;
    addTotals(this.total, c.totals);
    const by = this.q.groupBy;
    if (by) addTotals(this.group(by === 'family' ? familyOf(c) : c[by]), c.totals);
  }

  summary(): LedgerSummary {
    return { from: this.q.from, to: this.q.to, total: this.total, ...(this.q.groupBy ? { groups: Object.fromEntries(this.groups) } : {}) };
  }
}

const familyOf = (k: { readonly backend: string; readonly model: string }): TokenFamily => tokenFamily(k.model, k.backend as BackendKind);

/** How far the pre-flight estimates were from the reported prompts, for one token family. */
export interface EstimateError {
  readonly family: TokenFamily;
  /** Records with both an estimate and a reported prompt. */
  readonly count: number;
  /** Mean of |estimate − reported| / reported over them, in percent. */
  readonly meanAbsPctError: number;
}

/** The families of a summary grouped by `family`, those with at least one comparison, in a fixed order. */
export function estimateErrors(summary: LedgerSummary): EstimateError[] {
  const order: readonly TokenFamily[] = ['claude', 'openai', 'ollama', 'other'];
  return order
    .map((family) => ({ family, t: summary.groups?.[family] }))
    .filter(({ t }) => t !== undefined && t.estimated > 0)
    .map(({ family, t }) => ({ family, count: t!.estimated, meanAbsPctError: t!.estimateErrorPct / t!.estimated }));
}

/** A cell's key in the maps that fold records: (local day, instance, tree, backend, model). */
export const cellKey = (day: string, k: { readonly instance: string; readonly tree: string; readonly backend: string; readonly model: string }) =>
  `${day}\t${k.instance}\t${k.tree}\t${k.backend}\t${k.model}`;

/** A month's records folded into cells by (local day, instance, tree, backend, model). */
export function foldCells(cells: Map<string, Cell>, records: readonly LedgerRecord[]): void {
  for (const r of records) {
    const day = dayOf(r.at);
    const key = cellKey(day, r);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { day, instance: r.instance, tree: r.tree, backend: r.backend, model: r.model, totals: emptyTotals() }));
    addRecord(c.totals, r);
  }
}
