/**
 * The status bar's spend text, pure so it is unit-tested: today's priced dollars, unpriced requests as a count
 * (never as $0), and the daily cap when one is set.
 */
import type { LedgerTotals } from '../../core/cost/ledger';

/** The share of the cap at which the item turns to the warning colour (the budgets' default warn level). */
const NEAR = 0.8;

function usd(v: number): string {
  if (v === 0) return '$0.00';
  return v >= 0.01 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`;
}

export function spendStatus(today: Pick<LedgerTotals, 'usd' | 'unpriced' | 'records'>, dailyCap: number | undefined): { text: string; tooltip: string; level: 'ok' | 'near' | 'over' } {
  const plus = today.unpriced ? ` + ${today.unpriced} unpriced` : '';
  const capped = dailyCap !== undefined && dailyCap > 0;
  const text = capped ? `${usd(today.usd)} / ${usd(dailyCap)} today${today.unpriced ? '+' : ''}` : `${usd(today.usd)} today${today.unpriced ? '+' : ''}`;
  const level = !capped ? 'ok' : today.usd >= dailyCap ? 'over' : today.usd >= NEAR * dailyCap ? 'near' : 'ok';
  const tooltip =
    `LLM Fleet: ${usd(today.usd)}${plus} spent today over ${today.records} request(s)` +
    (capped ? `, against a daily cap of ${usd(dailyCap)} (${Math.round((today.usd / dailyCap) * 100)}%)` : '') +
    (today.unpriced ? `. ${today.unpriced} request(s) used a model with no known price and are not counted in the dollars` : '') +
    '.\nClick for the usage dashboard.';
  return { text, tooltip, level };
}
