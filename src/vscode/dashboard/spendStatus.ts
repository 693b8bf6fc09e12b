/**
 * The status bar's spend text, pure so it is unit-tested: today's priced dollars, unpriced requests as a count
 * (never as $0), and the daily cap when one is set.
 */
import { DEFAULT_WARN_AT, money as usd } from '../../core/cost/budgetCaps';
import type { LedgerTotals } from '../../core/cost/ledger';

export function spendStatus(today: Pick<LedgerTotals, 'usd' | 'unpriced' | 'records'>, dailyCap: number | undefined): { text: string; tooltip: string; level: 'ok' | 'near' | 'over' } {
  const plus = today.unpriced ? ` + ${today.unpriced} unpriced` : '';
  const capped = dailyCap !== undefined && dailyCap > 0;
  const text = capped ? `${usd(today.usd)} / ${usd(dailyCap)} today${today.unpriced ? '+' : ''}` : `${usd(today.usd)} today${today.unpriced ? '+' : ''}`;
  const level = !capped ? 'ok' : today.usd >= dailyCap ? 'over' : today.usd >= DEFAULT_WARN_AT * dailyCap ? 'near' : 'ok';
  const tooltip =
    `LLM Fleet: ${usd(today.usd)}${plus} spent today over ${today.records} request(s)` +
    (capped ? `, against a daily cap of ${usd(dailyCap)} (${Math.round((today.usd / dailyCap) * 100)}%)` : '') +
    (today.unpriced ? `. ${today.unpriced} request(s) used a model with no known price and are not counted in the dollars` : '') +
    '.\nClick for the usage dashboard.';
  return { text, tooltip, level };
}
