import { errorMessage } from './errors';
import type { Logger } from './log';
import type { FleetStore, PersistedInstance, StoreProblem } from './store';

/**
 * Brings back what a store holds, one saved instance at a time through `adopt` (false: skipped, its name is taken).
 * An instance that cannot be rebuilt is reported like an unreadable file, and the rest still load.
 */
export async function restoreFrom(store: FleetStore | undefined, log: Logger | undefined, adopt: (saved: PersistedInstance) => boolean): Promise<{ restored: string[]; problems: StoreProblem[] }> {
  const { instances, problems } = (await store?.loadAll()) ?? { instances: [], problems: [] };
  const restored: string[] = [];
  for (const p of instances) {
    try {
      if (adopt(p)) restored.push(p.name);
    } catch (e) {
      problems.push({ file: p.name, error: `Could not restore '${p.name}': ${errorMessage(e)}` });
    }
  }
  for (const p of problems) log?.error(p.error);
  return { restored, problems };
}
