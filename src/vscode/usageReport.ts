/**
 * The usage summary as Markdown, from the usage ledger: today and this month, per instance, with the fleet's
 * totals. The status bar, the daily cap and the usage dashboard read the same ledger with the same local-day
 * bounds, so every figure for "today" agrees. No `vscode` import: `loadUsageReport` asks the ledger, `usageReport`
 * only formats, and both are tested in plain Node.
 */
import { formatUsd } from '../core/cost/cost';
import { cacheHitRate, type Ledger, type LedgerRecord, type LedgerSummary, type LedgerTotals } from '../core/cost/ledger';
import { periodRange } from '../core/cost/ledgerQuery';
import { BACKEND_LABELS } from '../core/kinds';
import { escapeMarkdown, formatTokens } from './presentation';

const BACKEND_LABEL: Readonly<Record<string, string>> = BACKEND_LABELS; // the ledger's backend is a plain string
/** Backend and model pairs named per instance before the rest are counted ("+2 more"). */
const MAX_TARGETS = 2;

type Targets = Readonly<Record<string, readonly string[]>>;

export interface UsageReportData {
  readonly now: number;
  readonly ledgerDir: string;
  /** Today and this month (local time), grouped by instance. */
  readonly today: LedgerSummary;
  readonly month: LedgerSummary;
  /** Price table versions of this month's records priced from the table, with how many records each priced. */
  readonly priceVersions: Readonly<Record<string, number>>;
  /** This month's records priced from the user's own prices (`llmFleet.openai.prices`) instead. */
  readonly overridePriced: number;
  /** Per instance, the backends and models its records name ("Anthropic API · claude-haiku-4-5"), for each section. */
  readonly targets: { readonly today: Targets; readonly month: Targets };
  /** The names in this window's fleet now; the others were killed or ran in another window. */
  readonly live: ReadonlySet<string>;
  readonly dailyCapUsd?: number;
}

/** Dollars of the priced records, with the unpriced ones counted beside them, never as $0. */
function spend(t: Pick<LedgerTotals, 'usd' | 'unpriced' | 'records'>): string {
  if (t.unpriced === 0) return formatUsd(t.usd);
  if (t.usd === 0 && t.unpriced === t.records) return `${t.unpriced} unpriced`;
  return `${formatUsd(t.usd)} + ${t.unpriced} unpriced`;
}

const pct = (r: number | undefined) => (r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

function summaryLine(t: LedgerTotals, cap?: number): string {
  const capText = cap ? `, of the ${formatUsd(cap)} daily cap (${Math.round((t.usd / cap) * 100)}%)` : '';
  return `Spent **${spend(t)}**${capText}. Requests: ${t.records}. Saved by the cache: ${formatUsd(t.savedUsd)}; cache hit rate ${pct(cacheHitRate(t))}.`;
}

function table(s: LedgerSummary, targetsOf: Targets, live: ReadonlySet<string>): string[] {
  const rows = Object.entries(s.groups ?? {}).sort(([a, x], [b, y]) => y.usd - x.usd || y.unpriced - x.unpriced || y.records - x.records || a.localeCompare(b));
  if (rows.length === 0) return ['No requests.'];
  return [
    '| Instance | Backend · model | Requests | Input | Cache read | Cache write | Output | Cost |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(([name, t]) => {
      const targets = targetsOf[name] ?? [];
      const shown = targets.slice(0, MAX_TARGETS).map(escapeMarkdown).join(', ') + (targets.length > MAX_TARGETS ? ` +${targets.length - MAX_TARGETS} more` : '');
      const who = escapeMarkdown(name) + (live.has(name) ? '' : ' (not in this window)');
      return `| ${who} | ${shown || '—'} | ${t.records} | ${formatTokens(t.input)} | ${formatTokens(t.cacheRead)} | ${formatTokens(t.cacheWrite5m + t.cacheWrite1h)} | ${formatTokens(t.output)} | ${spend(t)} |`;
    }),
  ];
}

export function usageReport(d: UsageReportData): string {
  const versions = Object.entries(d.priceVersions).sort((a, b) => b[1] - a[1]);
  const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
  const own = d.overridePriced ? `; ${records(d.overridePriced)} at your own prices (\`llmFleet.openai.prices\`)` : '';
  const priced = (versions.length ? `price table ${versions.map(([v, n]) => `${escapeMarkdown(v)} (${records(n)})`).join(', ')}` : 'none from the price table') + own;
  const day = new Date(d.now).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  const month = new Date(d.now).toLocaleDateString(undefined, { year: 'numeric', month: 'long' });
  const lines = [
    '# LLM Fleet usage',
    '',
    `Figures from the usage ledger (${escapeMarkdown(d.ledgerDir)}): one record per attempt of every ask, killed instances' and other windows' included. The status bar, the daily cap and the usage dashboard read the same ledger. Prices of this month's records: ${priced}.`,
    '',
    `## Today, ${day}`,
    '',
    summaryLine(d.today.total, d.dailyCapUsd),
    '',
    ...table(d.today, d.targets.today, d.live),
    '',
    `## ${month}`,
    '',
    summaryLine(d.month.total),
    '',
    ...table(d.month, d.targets.month, d.live),
    '',
    'Unpriced means the model is not in the price table: its cost is unknown, not $0. Set a price with `llmFleet.openai.prices`; **LLM Fleet: Usage Dashboard** has the charts and the export.',
  ];
  if (d.month.total.records === 0) lines.push('', 'Nothing recorded this month yet. Spawn an instance with **LLM Fleet: Spawn Instance…** and ask it something.');
  return lines.join('\n');
}

/** Price versions and each instance's backends and models, from a range's records. */
export function recordFacts(records: readonly LedgerRecord[]): Pick<UsageReportData, 'priceVersions' | 'overridePriced'> & { targets: Targets } {
  const priceVersions: Record<string, number> = {};
  let overridePriced = 0;
  const targets = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.basis === 'table') priceVersions[r.priceVersion] = (priceVersions[r.priceVersion] ?? 0) + 1;
    else if (r.basis === 'override') overridePriced++;
    const set = targets.get(r.instance) ?? targets.set(r.instance, new Set()).get(r.instance)!;
    set.add(`${BACKEND_LABEL[r.backend] ?? r.backend} · ${r.model}`);
  }
  return { priceVersions, overridePriced, targets: Object.fromEntries([...targets].map(([k, v]) => [k, [...v]])) };
}

/** Asks the ledger what the report shows: two summaries by instance (from its index) and one scan of the month. */
export async function loadUsageReport(ledger: Pick<Ledger, 'query' | 'records' | 'now' | 'dir'>, live: readonly string[], dailyCapUsd?: number): Promise<string> {
  const now = ledger.now();
  const m = periodRange('month', now);
  const [today, month, records] = await Promise.all([
    ledger.query({ period: 'day', at: now, groupBy: 'instance' }),
    ledger.query({ period: 'month', at: now, groupBy: 'instance' }),
    ledger.records(m.from, m.to),
  ]);
  const facts = recordFacts(records);
  const day = periodRange('day', now);
  const targets = { today: recordFacts(records.filter((r) => r.at >= day.from && r.at < day.to)).targets, month: facts.targets };
  return usageReport({ now, ledgerDir: ledger.dir, today, month, ...facts, targets, live: new Set(live), ...(dailyCapUsd ? { dailyCapUsd } : {}) });
}
