// Today's spend (src/core/spend.ts): the local day's boundary, unpriced answers, and forks' inherited answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cost } from '../../src/core/cost/cost';
import { nextLocalMidnight, spentToday, startOfLocalDay } from '../../src/core/spend';
import type { AssistantMessage, Message } from '../../src/core/transcript';

let n = 0;
const answer = (at: number, cost: Cost | undefined, over: Partial<AssistantMessage> = {}): AssistantMessage => ({
  id: `a${++n}`,
  role: 'assistant',
  text: 'x',
  at,
  status: 'complete',
  model: 'm',
  backend: 'anthropic',
  latencyMs: 1,
  cost,
  ...over,
});
const priced = (usd: number): Cost => ({ usd, basis: 'table' });
const UNPRICED: Cost = { basis: 'unpriced' };

/** Runs `fn` with the process in another time zone; Node reads TZ again on every change. */
function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe('spentToday', () => {
  let savedTz: string | undefined;
  before(() => {
    savedTz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
  });
  after(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('counts from local midnight: an answer a millisecond before it is yesterday’s, one at it is today’s', () => {
    const midnight = new Date(2025, 5, 10).getTime(); // 10 June, 00:00 in Berlin = 9 June 22:00 UTC
    const now = () => midnight + 9 * 3_600_000;
    const transcript: Message[] = [answer(midnight - 1, priced(5)), answer(midnight, priced(0.25)), answer(now(), priced(0.5))];
    assert.deepEqual(spentToday([transcript], now), { usd: 0.75, unpriced: 0 });
    assert.equal(new Date(midnight).toISOString(), '2025-06-09T22:00:00.000Z', 'the boundary is Berlin’s midnight, not UTC’s');
  });

  it('follows the local day, not the UTC one, wherever the user is', () => {
    inZone('Asia/Kolkata', () => {
      const tenPastMidnight = new Date(2025, 0, 15, 0, 10).getTime(); // 14 January 18:40 UTC
      const lateYesterday = new Date(2025, 0, 14, 23, 50).getTime(); // 14 January 18:20 UTC: same UTC day
      const now = () => new Date(2025, 0, 15, 8, 0).getTime();
      assert.deepEqual(spentToday([[answer(tenPastMidnight, priced(1)), answer(lateYesterday, priced(2))]], now), { usd: 1, unpriced: 0 });
    });
  });

  it('knows a day can be 23 hours long: on the spring DST change, midnight is not 24 h before the next one', () => {
    const sunday = new Date(2025, 2, 30, 12).getTime(); // 30 March 2025: Berlin springs forward at 02:00
    assert.equal(nextLocalMidnight(sunday) - startOfLocalDay(sunday), 23 * 3_600_000);
    const justAfterMidnight = new Date(2025, 2, 30, 0, 30).getTime();
    // Noon less 12 hours is 23:00 on Saturday here; an answer at 23:30 that evening is still yesterday's.
    const lateSaturday = new Date(2025, 2, 29, 23, 30).getTime();
    assert.ok(lateSaturday > sunday - 12 * 3_600_000, 'the case a fixed 12 h back would get wrong');
    assert.deepEqual(spentToday([[answer(justAfterMidnight, priced(1)), answer(lateSaturday, priced(4))]], () => sunday), { usd: 1, unpriced: 0 });
    assert.equal(nextLocalMidnight(startOfLocalDay(sunday)), new Date(2025, 2, 31).getTime());
  });

  it('counts an unpriced answer as unpriced, never as $0, beside the priced ones; a local model’s $0 is a price', () => {
    const now = () => new Date(2025, 5, 10, 12).getTime();
    const spend = spentToday([[answer(now(), UNPRICED), answer(now(), priced(0.1))], [answer(now(), { usd: 0, basis: 'local' })]], now);
    assert.deepEqual(spend, { usd: 0.1, unpriced: 1 });
    assert.deepEqual(spentToday([[answer(now(), UNPRICED)]], now), { usd: 0, unpriced: 1 }, 'a day of unpriced answers is not a $0 day');
  });

  it('does not count a fork’s inherited answers again: the parent paid for them', () => {
    const now = () => new Date(2025, 5, 10, 12).getTime();
    const paid = answer(now() - 60_000, priced(1));
    const parent: Message[] = [{ id: 'q1', role: 'user', text: 'q', at: now() - 61_000 }, paid];
    const fork: Message[] = [...parent.map((m) => ({ ...m, inherited: true })), answer(now(), priced(0.25))];
    assert.deepEqual(spentToday([parent, fork], now), { usd: 1.25, unpriced: 0 });
    assert.deepEqual(spentToday([fork], now), { usd: 0.25, unpriced: 0 }, 'with the parent killed, the copies are still not the fork’s spend');
    const unmarked: Message[] = [{ ...paid }];
    assert.deepEqual(spentToday([parent, unmarked], now), { usd: 1, unpriced: 0 }, 'a copy that lost its mark still counts once (same id)');
  });

  it('leaves out questions and answers that cost nothing billed (an error before any usage, a cancel)', () => {
    const now = () => new Date(2025, 5, 10, 12).getTime();
    const transcript: Message[] = [
      { id: 'u', role: 'user', text: 'hello', at: now() },
      answer(now(), undefined, { status: 'error', error: { kind: 'auth', message: 'no key' } }),
      answer(now(), undefined, { status: 'cancelled' }),
    ];
    assert.deepEqual(spentToday([transcript], now), { usd: 0, unpriced: 0 });
    assert.deepEqual(spentToday([], now), { usd: 0, unpriced: 0 });
  });
});
