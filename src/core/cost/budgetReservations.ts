/**
 * What asks in flight will cost, held against the caps until the ledger has their records. Without it, asks on
 * different instances of one tree (or of the day) each see only the ledger's spend, and each may overshoot a cap by
 * one ask. A hold is placed in the same synchronous step as the check that admitted it, so two checks never both
 * pass on the same room.
 *
 * When an ask settles its hold takes the real cost, and is dropped a macrotask later: the ledger stage (just outside
 * the budget stage) appends the record in the microtasks after the stage returns, so by then the ledger has it. A
 * check counts every hold that was present when its ledger query started, as well as those present when it decides:
 * a hold dropped before the query started is in what the query read. At worst an ask settling during a query is
 * counted twice, which errs toward blocking, never toward overspending.
 */
import type { CapKind } from './budgetCaps';

export interface Hold {
  readonly instance: string;
  readonly tree: string;
  usd: number;
}

export class Reservations {
  private readonly holds = new Set<Hold>();

  /** The holds now, for a check that is about to read the ledger. */
  snapshot(): ReadonlySet<Hold> {
    return new Set(this.holds);
  }

  /** In flight against one cap: the holds seen at `before` or now, except the asker's own. */
  inFlight(kind: CapKind, instance: string, tree: string, before: ReadonlySet<Hold>, own?: Hold): number {
    let usd = 0;
    const count = (h: Hold) => {
      if (h === own) return;
      if (kind === 'daily' || (kind === 'tree' && h.tree === tree) || (kind === 'instance' && h.instance === instance)) usd += h.usd;
    };
    for (const h of before) count(h);
    for (const h of this.holds) if (!before.has(h)) count(h);
    return usd;
  }

  hold(instance: string, tree: string, usd: number): Hold {
    const h: Hold = { instance, tree, usd };
    this.holds.add(h);
    return h;
  }

  /**
   * The ask settled at `usd` (its real cost, when known): dropped once the ledger has its record. `appended`: the
   * caller already appended it (a compression summary), so it goes now; a check whose query began earlier holds it
   * in its snapshot, and a later query's flush reads the record.
   */
  release(h: Hold, usd?: number, appended = false): void {
    if (usd !== undefined) h.usd = usd;
    if (appended) this.holds.delete(h);
    else setImmediate(() => this.holds.delete(h));
  }

  get size(): number {
    return this.holds.size;
  }
}
