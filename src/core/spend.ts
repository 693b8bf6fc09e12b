/**
 * The user's day, for "today's spend": the status bar starts over at local midnight. The spend itself comes from the
 * usage ledger (cost/ledger.ts), which counts every instance, killed ones too.
 */
import { periodRange } from './cost/ledgerQuery';

/** The next local midnight after `t`: when "today" starts over. The user's day, which DST may make 23 or 25 h long. */
export function nextLocalMidnight(t: number): number {
  return periodRange('day', t).to;
}
