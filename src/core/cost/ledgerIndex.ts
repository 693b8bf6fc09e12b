/**
 * A small summary per month beside its JSONL (`ledger-2026-11.index.json`): the month's totals by instance, tree,
 * backend and model, the same by local day as well, and how far into the file they reach. A query then reads the
 * summary and only the lines appended since, instead of parsing every record of a year. The JSONL stays the truth:
 * a summary that does not match its file (replaced, repaired, another time zone, a newer format) is rebuilt from it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../errors';
import { addTotals, emptyTotals, type LedgerTotals } from './ledgerRecord';
import { cellKey, foldCells, type Cell } from './ledgerQuery';
import type { LedgerStore, ProblemSink } from './ledgerStore';

const INDEX_VERSION = 2;
const TOTAL_KEYS = Object.keys(emptyTotals()) as (keyof LedgerTotals)[];

/** The day buckets are local days, so a summary made under another time zone counts other days. */
const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'unknown';

type Row = [string, string, string, string, string, ...number[]];

interface MonthSummary {
  end: number;
  sig: string;
  /** Whole-month cells (their `day` is the month): all a query covering the month needs. */
  whole: Cell[];
  /** Day cells; kept as JSON text until a query cuts the month or groups by day, or new lines arrive. */
  days?: Cell[];
  daysJson?: string;
  byKey?: Map<string, Cell>;
}

/** On disk: one row per cell, the totals as a plain array in `keys` order (a fraction of the JSON keys' size). */
interface IndexFile {
  v: number;
  month: string;
  tz: string;
  end: number;
  sig: string;
  keys: string[];
  whole: Row[];
  /** The day rows as JSON text inside the JSON: parsing the file skips over it in one go. */
  days: string;
}

const keyOf = (c: Cell) => cellKey(c.day, c);
const toRow = (c: Cell): Row => [c.day, c.instance, c.tree, c.backend, c.model, ...TOTAL_KEYS.map((k) => c.totals[k])];

function fromRows(rows: readonly Row[]): Cell[] {
  const cells: Cell[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const totals = emptyTotals();
    for (let k = 0; k < TOTAL_KEYS.length; k++) totals[TOTAL_KEYS[k]] = Number(row[5 + k]) || 0;
    cells[i] = { day: row[0], instance: row[1], tree: row[2], backend: row[3], model: row[4], totals };
  }
  return cells;
}

/** The day cells summed over the month, per instance, tree, backend and model. */
function rollUp(month: string, days: readonly Cell[]): Cell[] {
  const out = new Map<string, Cell>();
  for (const c of days) {
    const key = `${c.instance}\t${c.tree}\t${c.backend}\t${c.model}`;
    let w = out.get(key);
    if (!w) out.set(key, (w = { ...c, day: month, totals: emptyTotals() }));
    addTotals(w.totals, c.totals);
  }
  return [...out.values()];
}

export class LedgerIndex {
  private readonly months = new Map<string, MonthSummary>();
  /** One catch-up per month at a time, so two queries never fold the same lines twice. */
  private readonly busy = new Map<string, Promise<MonthSummary | undefined>>();
  private saveProblemReported = false;

  constructor(
    private readonly store: LedgerStore,
    private readonly onProblem: ProblemSink,
  ) {}

  fileFor(month: string): string {
    return path.join(this.store.dir, `ledger-${month}.index.json`);
  }

  /** A month's cells, up to date with its file: whole-month ones, or per day. Undefined when it has no file. */
  cells(month: string, whole: boolean): Promise<readonly Cell[] | undefined> {
    const running = this.busy.get(month);
    const next = (running ?? Promise.resolve(undefined)).then(() => this.refresh(month));
    this.busy.set(month, next);
    void next.finally(() => this.busy.get(month) === next && this.busy.delete(month));
    return next.then((s) => s && (whole ? s.whole : this.daysOf(s)));
  }

  private daysOf(s: MonthSummary): Cell[] {
    if (!s.days) {
      s.days = fromRows(JSON.parse(s.daysJson ?? '[]') as Row[]);
      s.daysJson = undefined;
    }
    return s.days;
  }

  private async refresh(month: string): Promise<MonthSummary | undefined> {
    const known = this.months.get(month) ?? (await this.load(month));
    let s = known;
    let scan = known ? await this.store.scan(month, known.end, known.sig) : 'stale';
    if (scan === 'stale') {
      s = { end: 0, sig: '', whole: [], days: [] };
      scan = await this.store.scan(month, 0);
    }
    if (scan === 'stale' || scan === undefined || !s) {
      this.months.delete(month);
      return undefined;
    }
    // Only a scan that completed is folded in, so a failed read can never count lines twice later.
    if (scan.records.length > 0) {
      const byKey = (s.byKey ??= new Map(this.daysOf(s).map((c) => [keyOf(c), c])));
      foldCells(byKey, scan.records);
      s.days = [...byKey.values()];
      s.whole = rollUp(month, s.days);
    }
    const moved = scan.end !== s.end || s !== known;
    s.end = scan.end;
    s.sig = scan.sig;
    this.months.set(month, s);
    if (moved) await this.save(month, s);
    return s;
  }

  private async load(month: string): Promise<MonthSummary | undefined> {
    let raw: string;
    try {
      raw = await fs.readFile(this.fileFor(month), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const f = JSON.parse(raw) as IndexFile;
      const sameKeys = Array.isArray(f.keys) && f.keys.join() === TOTAL_KEYS.join();
      if (f.v !== INDEX_VERSION || f.month !== month || f.tz !== timeZone() || !sameKeys || typeof f.end !== 'number' || typeof f.sig !== 'string' || typeof f.days !== 'string') return undefined;
      return { end: f.end, sig: f.sig, whole: fromRows(f.whole), daysJson: f.days };
    } catch {
      // A damaged summary is only a cache: it is rebuilt from the records.
      return undefined;
    }
  }

  /** Written whole and renamed into place, so another window never reads half a summary. */
  private async save(month: string, s: MonthSummary): Promise<void> {
    const file: IndexFile = {
      v: INDEX_VERSION,
      month,
      tz: timeZone(),
      end: s.end,
      sig: s.sig,
      keys: TOTAL_KEYS,
      whole: s.whole.map(toRow),
      days: s.daysJson ?? JSON.stringify(this.daysOf(s).map(toRow)),
    };
    const target = this.fileFor(month);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify(file), { mode: 0o600 });
      await fs.rename(tmp, target);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      if (this.saveProblemReported) return;
      this.saveProblemReported = true;
      this.onProblem({ kind: 'index', file: target, message: `The usage ledger's summary could not be saved (${errorMessage(e)}); figures stay right but take longer to add up.` });
    }
  }
}
