// The user's day (src/core/spend.ts): the status bar's "today" starts over at local midnight, which DST moves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextLocalMidnight } from '../../src/core/spend';

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

describe('nextLocalMidnight', () => {
  let savedTz: string | undefined;
  before(() => {
    savedTz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
  });
  after(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('is the local midnight after now, not UTC’s; a moment at midnight belongs to the day it starts', () => {
    const midnight = new Date(2025, 5, 10).getTime(); // 10 June, 00:00 in Berlin = 9 June 22:00 UTC
    assert.equal(new Date(midnight).toISOString(), '2025-06-09T22:00:00.000Z', 'the boundary is Berlin’s midnight, not UTC’s');
    assert.equal(nextLocalMidnight(midnight - 1), midnight);
    assert.equal(nextLocalMidnight(midnight), new Date(2025, 5, 11).getTime());
  });

  it('follows the local day, not the UTC one, wherever the user is', () => {
    inZone('Asia/Kolkata', () => {
      const lateEvening = new Date(2025, 0, 14, 23, 50).getTime(); // 14 January 18:20 UTC
      assert.equal(nextLocalMidnight(lateEvening), new Date(2025, 0, 15).getTime());
      assert.equal(new Date(nextLocalMidnight(lateEvening)).toISOString(), '2025-01-14T18:30:00.000Z');
    });
  });

  it('knows a day can be 23 hours long: on the spring DST change, midnight is not 24 h after the last one', () => {
    const sunday = new Date(2025, 2, 30, 12).getTime(); // 30 March 2025: Berlin springs forward at 02:00
    assert.equal(nextLocalMidnight(sunday) - new Date(2025, 2, 30).getTime(), 23 * 3_600_000);
    assert.equal(nextLocalMidnight(sunday), new Date(2025, 2, 31).getTime());
  });
});
