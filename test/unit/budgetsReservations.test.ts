// The budget stage's holds for asks in flight: which caps a hold counts against, that a check counts the holds it
// saw before reading the ledger as well as those placed since, never its own, and that a settled hold stays until
// the ledger stage (which appends in the microtasks after the stage returns) has had its turn.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reservations } from '../../src/core/cost/budgetReservations';

const tick = () => new Promise((r) => setImmediate(r));

describe('budget reservations', () => {
  it('count against the day, their tree and their instance, never the asker’s own', () => {
    const r = new Reservations();
    const a = r.hold('a', 'root', 0.1);
    r.hold('b', 'root', 0.2);
    r.hold('c', 'other', 0.4);
    const none = new Set<never>();
    assert.ok(Math.abs(r.inFlight('daily', 'a', 'root', none) - 0.7) < 1e-12);
    assert.ok(Math.abs(r.inFlight('tree', 'a', 'root', none) - 0.3) < 1e-12);
    assert.ok(Math.abs(r.inFlight('instance', 'a', 'root', none) - 0.1) < 1e-12);
    assert.ok(Math.abs(r.inFlight('tree', 'a', 'root', none, a) - 0.2) < 1e-12, 'without its own hold');
    assert.equal(r.inFlight('instance', 'z', 'nowhere', none), 0);
  });

  it('a check counts the holds it saw before its ledger query, even if they were dropped since, once each', async () => {
    const r = new Reservations();
    const early = r.hold('a', 't', 0.1);
    const before = r.snapshot();
    r.release(early, 0.05);
    await tick();
    assert.equal(r.size, 0);
    r.hold('b', 't', 0.2);
    // `early` (at its settled cost) from the snapshot, `b` from now; neither twice.
    assert.ok(Math.abs(r.inFlight('tree', 'x', 't', before) - 0.25) < 1e-12);
  });

  it('a settled hold takes its real cost and stays until a macrotask later', async () => {
    const r = new Reservations();
    const h = r.hold('a', 't', 0.5);
    r.release(h, 0.01);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(r.size, 1, 'still held through the microtasks in which the ledger appends');
    assert.ok(Math.abs(r.inFlight('daily', 'x', 'y', new Set()) - 0.01) < 1e-12);
    await tick();
    assert.equal(r.size, 0);
  });
});
