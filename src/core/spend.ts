/**
 * Today's spend, from the instances' transcripts: they are persisted, so the figure survives a window reload, and
 * it needs no ledger of its own. Pure: the caller passes the transcripts and the clock.
 */
import { periodRange } from './cost/ledgerQuery';
import type { Message } from './transcript';

export interface DaySpend {
  /** Dollars of today's priced answers; local models count as the $0 they cost. */
  readonly usd: number;
  /** Today's answers with no known price. Their cost is unknown, so it is never added in as $0. */
  readonly unpriced: number;
}

/** Midnight, local time, at the start of the day `t` falls in: the user's day, which DST may make 23 or 25 h long. */
export function startOfLocalDay(t: number): number {
  return periodRange('day', t).from;
}

/** The next local midnight after `t`: when "today" starts over. */
export function nextLocalMidnight(t: number): number {
  return periodRange('day', t).to;
}

/**
 * What the answers given since local midnight cost. An answer a fork copied from its parent (`inherited`) was paid
 * for once, by the parent, so only the original counts; and an answer id counts once across all transcripts, so
 * even a copy that lost its mark cannot double the day. Answers with no cost (nothing was billed: an error before
 * any usage, a cancel) add nothing.
 */
export function spentToday(transcripts: Iterable<readonly Message[]>, now: () => number = Date.now): DaySpend {
  const since = startOfLocalDay(now());
  const seen = new Set<string>();
  let usd = 0;
  let unpriced = 0;
  for (const transcript of transcripts) {
    for (const m of transcript) {
      if (m.role !== 'assistant' || m.inherited || m.at < since || !m.cost || seen.has(m.id)) continue;
      seen.add(m.id);
      if (m.cost.usd === undefined) unpriced++;
      else usd += m.cost.usd;
    }
  }
  return { usd, unpriced };
}
