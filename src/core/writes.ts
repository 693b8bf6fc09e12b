import { errorMessage } from './errors';
import type { Logger } from './log';
import type { InstanceReadout } from './instance';
import type { FleetStore, PersistedInstance } from './store';

/** What the store keeps of an instance: its spec, lineage, session state and a copy of its transcript. */
export function snapshotOf(i: InstanceReadout): PersistedInstance {
  return { version: 1, name: i.name, spec: i.spec, createdAt: i.createdAt, lineage: i.lineage, session: i.sessionState, transcript: i.transcript.slice(), lastError: i.lastError };
}

/**
 * The Fleet's writes to its store. Writes for one name run in order, so an older snapshot never lands after a
 * newer one; a failed write is logged, and the next one still runs.
 */
export class StoreWrites {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly store: FleetStore | undefined,
    private readonly log: Logger | undefined,
  ) {}

  save(snapshot: PersistedInstance): void {
    const store = this.store;
    if (store) void this.chain(snapshot.name, () => store.save(snapshot));
  }

  delete(name: string): Promise<void> {
    return this.chain(name, () => this.store?.delete(name));
  }

  /** Waits until every write so far has reached the store. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  private chain(name: string, write: () => Promise<void> | undefined): Promise<void> {
    const previous = this.pending.get(name) ?? Promise.resolve();
    const next = previous
      .then(write)
      .catch((e) => this.log?.error(`Could not save instance '${name}': ${errorMessage(e)}`))
      .finally(() => {
        if (this.pending.get(name) === next) this.pending.delete(name);
      });
    this.pending.set(name, next);
    return next;
  }
}
