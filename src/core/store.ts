import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SessionState } from './backends/backend';
import { errorMessage } from './errors';
import type { InstanceSpec, LastError, Lineage } from './instance';
import type { Message } from './transcript';

/** What survives a window reload, per instance. */
export interface PersistedInstance {
  readonly version: 1;
  readonly name: string;
  readonly spec: InstanceSpec;
  readonly createdAt: number;
  readonly lineage?: Lineage;
  readonly session?: SessionState;
  readonly transcript: readonly Message[];
  readonly lastError?: LastError;
}

/** A state file that could not be read; the file is set aside (not deleted) so nothing is lost. */
export interface StoreProblem {
  readonly file: string;
  readonly error: string;
  /** Where the unreadable file was moved. */
  readonly setAsideTo?: string;
}

export interface LoadResult {
  readonly instances: PersistedInstance[];
  readonly problems: StoreProblem[];
}

/** The persistence port. The host gives a file store in the extension's storage; tests may use memory. */
export interface FleetStore {
  loadAll(): Promise<LoadResult>;
  save(instance: PersistedInstance): Promise<void>;
  delete(name: string): Promise<void>;
}

export class MemoryStore implements FleetStore {
  readonly saved = new Map<string, PersistedInstance>();
  async loadAll(): Promise<LoadResult> {
    return { instances: [...this.saved.values()].map((i) => structuredClone(i)), problems: [] };
  }
  async save(instance: PersistedInstance): Promise<void> {
    this.saved.set(instance.name, structuredClone(instance));
  }
  async delete(name: string): Promise<void> {
    this.saved.delete(name);
  }
}

const SUFFIX = '.json';
/** The folder under the store's root that holds one file per instance; the state migration moves it whole. */
export const INSTANCES_DIR = 'instances';

/**
 * One JSON file per instance, so one torn or corrupt file costs only that instance. Every write goes to a temp file
 * in the same folder, is flushed, then renamed over the old file: a crash leaves either the old or the new state.
 */
export class FileStore implements FleetStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, INSTANCES_DIR);
  }

  fileFor(name: string): string {
    return path.join(this.dir, name + SUFFIX);
  }

  async loadAll(): Promise<LoadResult> {
    await fs.mkdir(this.dir, { recursive: true });
    const instances: PersistedInstance[] = [];
    const problems: StoreProblem[] = [];
    for (const entry of (await fs.readdir(this.dir)).sort()) {
      const file = path.join(this.dir, entry);
      if (entry.endsWith('.tmp')) {
        // A write that never reached its rename; the previous state file is intact.
        await fs.rm(file, { force: true });
        continue;
      }
      if (!entry.endsWith(SUFFIX)) continue;
      try {
        const parsed = parsePersistedInstance(JSON.parse(await fs.readFile(file, 'utf8')));
        if (parsed.name + SUFFIX !== entry) throw new Error(`it names instance '${parsed.name}'`);
        instances.push(parsed);
      } catch (e) {
        const setAsideTo = `${file}.corrupt-${Date.now()}`;
        await fs.rename(file, setAsideTo).catch(() => undefined);
        problems.push({ file, error: `Could not read ${entry}: ${errorMessage(e)}`, setAsideTo });
      }
    }
    return { instances, problems };
  }

  async save(instance: PersistedInstance): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const target = this.fileFor(instance.name);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(instance));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.fileFor(name), { force: true });
  }
}

/** Checks the shape of a state file; the error says which field is wrong. */
export function parsePersistedInstance(value: unknown): PersistedInstance {
  const fail = (what: string): never => {
    throw new Error(`invalid state: ${what}`);
  };
  if (!isObject(value)) return fail('not an object');
  if (value.version !== 1) fail(`unsupported version ${JSON.stringify(value.version)}`);
  if (typeof value.name !== 'string' || !value.name) fail('missing name');
  const spec = value.spec;
  if (!isObject(spec) || typeof spec.backend !== 'string' || typeof spec.model !== 'string') fail('bad spec');
  if (!Array.isArray(value.transcript)) return fail('transcript is not a list');
  value.transcript.forEach((m, i) => {
    if (!isObject(m) || typeof m.id !== 'string' || typeof m.text !== 'string' || (m.role !== 'user' && m.role !== 'assistant')) {
      fail(`transcript entry ${i} is malformed`);
    }
  });
  return value as unknown as PersistedInstance;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
