/**
 * The usage ledger: one record per attempt of every ask, kept in monthly JSONL files in a folder the host gives
 * (the extension's global storage), and the questions the dashboard asks of it. `ledgerStage` is the pipeline stage
 * that writes the records. A ledger problem is reported through `onProblem` and never fails an answer.
 */
import { errorMessage } from '../errors';
import type { BackendKind } from '../kinds';
import type { TurnStage } from '../turn/types';
import { LedgerIndex } from './ledgerIndex';
import { Aggregator, isLocalMidnight, monthBounds, monthsIn, periodRange, type LedgerFilter, type LedgerGroupBy, type LedgerPeriod, type LedgerRange, type LedgerSummary } from './ledgerQuery';
import type { LedgerRecord } from './ledgerRecord';
import { recordsOfFailure, recordsOfTurn, AttemptTrace, type RecordContext } from './ledgerRecords';
import { LedgerStore, type LedgerProblem } from './ledgerStore';
import type { Cost } from './cost';
import type { Usage } from './usage';

export type { LedgerProblem } from './ledgerStore';
export type { LedgerRecord, LedgerTotals, LedgerOutcome } from './ledgerRecord';
export { cacheHitRate } from './ledgerRecord';
export type { EstimateError, LedgerFilter, LedgerGroupBy, LedgerPeriod, LedgerRange, LedgerSummary } from './ledgerQuery';

export interface LedgerOptions {
  /** The folder for `ledger-YYYY-MM.jsonl` (created on the first write). */
  readonly dir: string;
  readonly onProblem?: (problem: LedgerProblem) => void;
  /** The clock for record times and for "today" in queries. */
  readonly now?: () => number;
  /** Keep the per-month summaries (default). Without them every query parses the records it covers. */
  readonly useIndex?: boolean;
  /** See LedgerStore: how old a cut-off last line must be before it is taken for a crash and removed. */
  readonly tornGraceMs?: number;
}

export interface PeriodQuery extends LedgerFilter {
  readonly period: LedgerPeriod;
  /** Any time inside the period; default now. */
  readonly at?: number;
  readonly groupBy?: LedgerGroupBy;
}

export class Ledger {
  readonly now: () => number;
  private readonly store: LedgerStore;
  private readonly index: LedgerIndex | undefined;
  private readonly onProblem: (problem: LedgerProblem) => void;

  constructor(options: LedgerOptions) {
    this.now = options.now ?? Date.now;
    const sink = options.onProblem ?? (() => undefined);
    // A listener that throws must not turn a report into a failure of the turn that caused it.
    this.onProblem = (p) => {
      try {
        sink(p);
      } catch {}
    };
    this.store = new LedgerStore(options.dir, this.onProblem, options.tornGraceMs);
    this.index = options.useIndex === false ? undefined : new LedgerIndex(this.store, this.onProblem);
  }

  get dir(): string {
    return this.store.dir;
  }

  report(problem: LedgerProblem): void {
    this.onProblem(problem);
  }

  /** Resolves once written (or reported lost); never rejects. */
  append(record: LedgerRecord): Promise<void> {
    return this.store.append(record);
  }

  /** Waits for every record appended so far to reach its file. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  /** A day, week (from Monday) or month, local time. */
  query(q: PeriodQuery): Promise<LedgerSummary> {
    return this.summarize({ ...q, ...periodRange(q.period, q.at ?? this.now()) });
  }

  /** Any range; bounds at local midnights are answered from the per-month summaries. */
  async summarize(q: LedgerRange): Promise<LedgerSummary> {
    await this.flush();
    const agg = new Aggregator(q);
    const byDay = this.index !== undefined && isLocalMidnight(q.from) && isLocalMidnight(q.to);
    for (const month of monthsIn(q.from, q.to)) {
      if (byDay) {
        // A month the range covers whole is read from its month cells: a year is twelve small lists.
        const { from, to } = monthBounds(month);
        const whole = q.groupBy !== 'day' && q.from <= from && q.to >= to;
        for (const c of (await this.index!.cells(month, whole)) ?? []) agg.cell(c, whole);
      } else {
        const scan = await this.store.scan(month);
        if (scan && scan !== 'stale') for (const r of scan.records) agg.record(r);
      }
    }
    return agg.summary();
  }

  /** The records themselves, oldest first (for an export, or a check). */
  async records(from: number, to: number): Promise<LedgerRecord[]> {
    await this.flush();
    const out: LedgerRecord[] = [];
    for (const month of monthsIn(from, to)) {
      const scan = await this.store.scan(month);
      if (scan && scan !== 'stale') out.push(...scan.records.filter((r) => r.at >= from && r.at < to));
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /** The months on disk, oldest first. */
  months(): Promise<string[]> {
    return this.store.months();
  }
}

export interface LedgerStageOptions {
  /** The root of an instance's fork tree (the host walks `lineage.parent`); default: the instance itself. */
  readonly treeRootOf?: (name: string) => string;
  /**
   * Prices a usage as the Fleet does (pass `(b, u, m) => fleet.price(b, u, m)`), to price the same tokens uncached
   * for the cache savings. Default: the built-in table, Ollama local, no overrides.
   */
  readonly price?: (backend: BackendKind, usage: Usage, model: string) => Cost;
  /** The price table version recorded when a cost does not carry one; default: the built-in table's. */
  readonly priceVersion?: string;
}

/**
 * The stage that writes one record per attempt. Put it first, so it sees every attempt the later stages make (a
 * fallback's failed tries come back in `TurnResult.attempts`, or as `attempts` on the error it throws) and a
 * refusal by a budget stage (recorded as `blocked`). It never changes the request, the result or the error.
 */
export function ledgerStage(ledger: Ledger, options: LedgerStageOptions = {}): TurnStage {
  return async (request, next, emit) => {
    const trace = new AttemptTrace(ledger.now);
    const ctx = (): RecordContext => ({ request, trace, now: ledger.now(), treeRootOf: options.treeRootOf, price: options.price, priceVersion: options.priceVersion });
    const write = (make: () => LedgerRecord[]) => {
      try {
        for (const r of make()) void ledger.append(r);
      } catch (e) {
        ledger.report({ kind: 'record', message: `A usage record could not be made: ${errorMessage(e)}` });
      }
    };
    let result;
    try {
      result = await next(request, (event) => {
        trace.see(event);
        // The budget stage's estimate is for the record, not for the views.
        if (event.type !== 'estimate') emit(event);
      });
    } catch (error) {
      write(() => recordsOfFailure(ctx(), error));
      throw error;
    }
    write(() => recordsOfTurn(ctx(), result));
    return result;
  };
}
