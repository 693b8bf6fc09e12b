import { LEDGER_RECORD_VERSION, type LedgerRecord } from '../cost/ledgerRecord';
import { ANTHROPIC_PRICES } from '../cost/prices';
import type { SummaryBill } from './summarizer';

/**
 * A compression summary as a ledger record: spend of the instance compressed (its tree's and the day's budgets
 * count it), under its own ask id (`<ask>:summary`) so it never reads as an attempt of the turn it was made for.
 * A summary billed and then not used is recorded all the same, so no spend vanishes: refused (too short, empty)
 * and failed (the stream broke off after it was billed) are `error` records and a cancelled one `cancelled`, each
 * with a reason that says so. The ledger's outcomes stay its four, so older readers keep every record.
 */
export function summaryRecord(tree: string, instance: string, askId: string, bill: SummaryBill, at = Date.now()): LedgerRecord {
  const u = bill.usage;
  const priced = bill.cost && bill.cost.basis !== 'unpriced' && bill.cost.usd !== undefined;
  return {
    v: LEDGER_RECORD_VERSION,
    at,
    instance,
    tree,
    backend: bill.backend,
    model: bill.model,
    askId: `${askId}:summary`,
    attempt: 0,
    input: u.input,
    output: u.output,
    cacheWrite5m: u.cacheWrite5m,
    cacheWrite1h: u.cacheWrite1h,
    cacheRead: u.cacheRead,
    ...(priced ? { usd: bill.cost!.usd } : {}),
    basis: bill.cost?.basis ?? 'unpriced',
    priceVersion: bill.cost?.priceVersion ?? ANTHROPIC_PRICES.version,
    latencyMs: bill.latencyMs,
    ...outcomeOf(bill),
  };
}

function outcomeOf(bill: SummaryBill): Pick<LedgerRecord, 'outcome' | 'errorKind' | 'reason'> {
  const why = bill.problem ? `: ${bill.problem}` : '';
  switch (bill.outcome ?? 'ok') {
    case 'ok':
      return { outcome: 'ok', reason: 'compression summary' };
    case 'refused':
      return { outcome: 'error', reason: `compression summary refused${why}` };
    case 'cancelled':
      return { outcome: 'cancelled', errorKind: 'cancelled', reason: `compression summary cancelled${why}` };
    case 'failed':
      return { outcome: 'error', errorKind: bill.errorKind ?? 'unknown', reason: `compression summary failed${why}` };
  }
}
