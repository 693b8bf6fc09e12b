/**
 * The dashboard's figures, shaped from ledger summaries by pure functions (no `vscode`, no I/O), so the unit tests
 * check exactly what the page shows. `loadDashboard` asks the ledger only for summaries (answered from its
 * per-month index), which keeps opening the page fast; the top requests need records and come separately.
 */
import { cacheHitRate, type LedgerRecord, type LedgerSummary, type LedgerTotals } from '../../core/cost/ledger';
import { estimateErrors, monthBounds, periodRange, type LedgerRange } from '../../core/cost/ledgerQuery';
import { BACKEND_KINDS, type BackendKind } from '../../core/kinds';
import type { BreakdownRow, DashboardPeriod, DashboardView, FiguresView, GaugeView, SeriesView, TopRequestView } from '../../webview/dashboard/protocol';

/** How many periods the chart shows, the current one last. */
export const BUCKETS: Readonly<Record<DashboardPeriod, number>> = { day: 14, week: 12, month: 12 };
const PERIOD_LABEL: Readonly<Record<DashboardPeriod, string>> = { day: 'today', week: 'this week', month: 'this month' };
/** Rows per breakdown table, and trees per gauge list: the page stays readable with hundreds of instances. */
const MAX_ROWS = 20;
const MAX_TREE_GAUGES = 5;
export const TOP_REQUESTS = 10;

export interface Bucket {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** The chart's buckets: the last BUCKETS[period] periods, local time, the one holding `now` last. */
export function buckets(period: DashboardPeriod, now: number): Bucket[] {
  const out: Bucket[] = [];
  let r = periodRange(period, now);
  for (let i = 0; i < BUCKETS[period]; i++) {
    out.unshift({ ...r, label: bucketLabel(period, r.from) });
    r = periodRange(period, r.from - 1);
  }
  return out;
}

function bucketLabel(period: DashboardPeriod, from: number): string {
  const d = new Date(from);
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  if (period === 'month') return `${d.getFullYear()}-${mm}`;
  return period === 'week' ? `wk ${mm}-${dd}` : `${mm}-${dd}`;
}

/** Local midnight of a `2026-11-24` day key (how the ledger groups by day). */
function dayStart(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).getTime();
}

export function figures(t: LedgerTotals): FiguresView {
  const rate = cacheHitRate(t);
  return { usd: t.usd, unpriced: t.unpriced, records: t.records, savedUsd: t.savedUsd, ...(rate === undefined ? {} : { hitRate: rate }) };
}

/** Rows by spend, then by record count (unpriced rows still rank), at most MAX_ROWS. */
export function breakdown(s: LedgerSummary): BreakdownRow[] {
  return Object.entries(s.groups ?? {})
    .map(([key, t]) => ({ key, ...figures(t) }))
    .sort((a, b) => b.usd - a.usd || b.unpriced - a.unpriced || b.records - a.records || a.key.localeCompare(b.key))
    .slice(0, MAX_ROWS);
}

/** Per-backend day summaries folded into the chart's buckets; backends with no records in range are left out. */
export function series(bs: readonly Bucket[], byBackendDays: Partial<Record<BackendKind, LedgerSummary>>): SeriesView {
  const stacks: SeriesView['stacks'][number][] = [];
  for (const backend of BACKEND_KINDS) {
    const s = byBackendDays[backend];
    if (!s || s.total.records === 0) continue;
    const usd = bs.map(() => 0);
    const unpriced = bs.map(() => 0);
    for (const [day, t] of Object.entries(s.groups ?? {})) {
      const at = dayStart(day);
      const i = bs.findIndex((b) => at >= b.from && at < b.to);
      if (i < 0) continue;
      usd[i] += t.usd;
      unpriced[i] += t.unpriced;
    }
    stacks.push({ backend, usd, unpriced });
  }
  return { labels: bs.map((b) => b.label), stacks };
}

export interface Caps {
  readonly dailyUsd?: number;
  readonly treeUsd?: number;
}

/**
 * Only a set, positive cap gets a gauge. The daily cap is against today; the tree cap, as the budget stage counts it
 * (core/cost/budgets.ts), against each fork tree's all-time spend, shown for the dearest trees.
 */
export function gauges(today: LedgerSummary, allTime: LedgerSummary | undefined, caps: Caps): GaugeView[] {
  const out: GaugeView[] = [];
  const set = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (set(caps.dailyUsd)) out.push({ label: 'Today, all instances', spentUsd: today.total.usd, capUsd: caps.dailyUsd, unpriced: today.total.unpriced });
  if (set(caps.treeUsd)) {
    const trees = Object.entries(allTime?.groups ?? {}).sort((a, b) => b[1].usd - a[1].usd).slice(0, MAX_TREE_GAUGES);
    for (const [tree, t] of trees) out.push({ label: `Tree ${tree}, all time`, spentUsd: t.usd, capUsd: caps.treeUsd, unpriced: t.unpriced });
  }
  return out;
}

/** The most expensive priced attempts, dearest first. */
export function topRequests(records: readonly LedgerRecord[], n = TOP_REQUESTS): TopRequestView[] {
  return records
    .filter((r) => r.usd !== undefined && r.usd > 0)
    .sort((a, b) => b.usd! - a.usd! || b.at - a.at)
    .slice(0, n)
    .map((r) => ({ at: r.at, instance: r.instance, backend: r.backend, model: r.model, askId: r.askId, usd: r.usd!, input: r.input, output: r.output, cacheRead: r.cacheRead, outcome: r.outcome }));
}

/** What the dashboard asks of the ledger: summaries only. */
export interface LedgerReader {
  summarize(q: LedgerRange): Promise<LedgerSummary>;
  records(from: number, to: number): Promise<LedgerRecord[]>;
  /** The months on disk, oldest first (`2026-11`). */
  months(): Promise<string[]>;
}

/** The page's figures for a period around `now`: a handful of summaries, each read from month index cells. */
export async function loadDashboard(ledger: LedgerReader, period: DashboardPeriod, now: number, caps: Caps): Promise<DashboardView> {
  const bs = buckets(period, now);
  const chart = { from: bs[0].from, to: bs[bs.length - 1].to };
  const current = periodRange(period, now);
  const day = periodRange('day', now);
  // All time only when a tree cap needs it: from the first month's start, whole months come from the index.
  const first = caps.treeUsd ? (await ledger.months())[0] : undefined;
  const allTime = first ? ledger.summarize({ from: monthBounds(first).from, to: periodRange('month', now).to, groupBy: 'tree' }) : undefined;
  const [byFamily, byBackend, byModel, byInstance, today, whole, ...perBackend] = await Promise.all([
    ledger.summarize({ ...current, groupBy: 'family' }),
    ledger.summarize({ ...current, groupBy: 'backend' }),
    ledger.summarize({ ...current, groupBy: 'model' }),
    ledger.summarize({ ...current, groupBy: 'instance' }),
    ledger.summarize(day),
    allTime,
    ...BACKEND_KINDS.map((backend) => ledger.summarize({ ...chart, backend, groupBy: 'day' })),
  ]);
  const byBackendDays = Object.fromEntries(BACKEND_KINDS.map((b, i) => [b, perBackend[i]]));
  return {
    period,
    periodLabel: PERIOD_LABEL[period],
    ...current,
    totals: figures(byBackend.total),
    series: series(bs, byBackendDays),
    byBackend: breakdown(byBackend),
    byModel: breakdown(byModel),
    byInstance: breakdown(byInstance),
    gauges: gauges(today, whole, caps),
    estimateError: estimateErrors(byFamily),
  };
}

/** The range an export covers: what the chart shows. */
export function chartRange(period: DashboardPeriod, now: number): { from: number; to: number } {
  const bs = buckets(period, now);
  return { from: bs[0].from, to: bs[bs.length - 1].to };
}
