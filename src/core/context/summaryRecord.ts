import { LEDGER_RECORD_VERSION, type LedgerRecord } from '../cost/ledgerRecord';
import { ANTHROPIC_PRICES } from '../cost/prices';
import type { SummaryBill } from './summarizer';

/**
 * A compression summary as a ledger record: spend of the instance compressed (its tree's and the day's budgets
 * count it), under its own ask id (`<ask>:summary`) so it never reads as an attempt of the turn it was made for.
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
    outcome: 'ok',
    reason: 'compression summary',
  };
}
