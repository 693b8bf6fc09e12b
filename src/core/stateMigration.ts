import { randomBytes } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from './errors';
import { INSTANCES_DIR } from './store';

/** Written in the new location once state has been taken over; its presence makes every later start a no-op. */
export const MIGRATION_MARKER = 'migrated.json';
/** What the old `instances` folder is renamed to: nothing is deleted, and the next start finds nothing to move. */
export const MOVED_DIR = 'instances.moved';

/** The file operations the migration uses; tests swap some to simulate a full disk or a read-only folder as root. */
export type MigrationFs = Pick<typeof nodeFs, 'readdir' | 'readFile' | 'writeFile' | 'open' | 'link' | 'rename' | 'rm' | 'mkdir' | 'access'>;

export interface MigrationOptions {
  /** The old store root (VS Code's per-workspace storageUri), holding `instances/`. */
  readonly from: string;
  /** The new store root. */
  readonly to: string;
  readonly fs?: MigrationFs;
  readonly now?: () => Date;
}

export type MigrationResult =
  /** Nothing to move: no old folder (a new user), no instance files in it, or the old and new roots are one. */
  | { readonly kind: 'none' }
  /** The old folder still has instance files, but the new location is already in use; they are left where they are. */
  | { readonly kind: 'skipped'; readonly reason: 'already-migrated' | 'in-use'; readonly message: string }
  | {
      readonly kind: 'migrated';
      readonly message: string;
      /** Instance files now in the new location. */
      readonly copied: readonly string[];
      /** Files not copied because a file of that name was already there (that file was kept as it was). */
      readonly kept: readonly string[];
      /** Where the old folder went; undefined when it could not be renamed (then `problems` says so). */
      readonly movedTo?: string;
      readonly problems: readonly string[];
    }
  /**
   * Nothing changed in the old folder and nothing was left in the new one. `oldReadable` says whether the old root can
   * still serve this session's state while the move waits for the next start.
   */
  | { readonly kind: 'failed'; readonly message: string; readonly oldReadable: boolean };

/**
 * Moves instance files from an old store root to a new one, once. It runs only when the old `instances/` folder
 * has `*.json` files, the new root has no marker and its `instances/` has no `*.json` file: a location already in
 * use is never merged into. Files are copied byte for byte (a torn file stays torn, so the store's own set-aside
 * logic deals with it where the user will look); each lands atomically and never replaces an existing file. Then
 * the marker is written and the old folder renamed to `instances.moved`. Any failure before the marker undoes the
 * copies, so the next start tries again from the untouched old folder.
 */
export async function migrateState(options: MigrationOptions): Promise<MigrationResult> {
  const io = options.fs ?? nodeFs;
  const now = options.now ?? (() => new Date());
  if (path.resolve(options.from) === path.resolve(options.to)) return { kind: 'none' };
  const oldDir = path.join(options.from, INSTANCES_DIR);
  const newDir = path.join(options.to, INSTANCES_DIR);
  const marker = path.join(options.to, MIGRATION_MARKER);

  let old: string[];
  try {
    old = await instanceFiles(io, oldDir);
  } catch (e) {
    if (code(e) === 'ENOENT') return { kind: 'none' };
    return { kind: 'failed', oldReadable: false, message: `Could not read the old state folder ${oldDir}: ${errorMessage(e)}. Its files were left as they were.` };
  }
  if (old.length === 0) return { kind: 'none' };
  const left = `${old.length} saved instance file(s) in ${oldDir} were left where they are`;

  let existing: string[];
  try {
    if (await exists(io, marker)) return { kind: 'skipped', reason: 'already-migrated', message: `${left}: state was already moved to ${options.to} (see ${MIGRATION_MARKER}).` };
    existing = await instanceFiles(io, newDir).catch((e) => (code(e) === 'ENOENT' ? [] : Promise.reject(e)));
  } catch (e) {
    return { kind: 'failed', oldReadable: true, message: `Could not read the new state folder ${options.to}: ${errorMessage(e)}. The old files in ${oldDir} were left as they were.` };
  }
  if (existing.length > 0) return { kind: 'skipped', reason: 'in-use', message: `${left}: ${newDir} already holds ${existing.length} instance(s).` };

  const copied: string[] = [];
  const kept: string[] = [];
  const movedTo = await freeName(io, path.join(options.from, MOVED_DIR)).catch(() => path.join(options.from, MOVED_DIR));
  const record = { version: 1, from: oldDir, at: now().toISOString(), copied, kept, oldFolderRenamedTo: movedTo as string | null, renameError: undefined as string | undefined };
  try {
    await io.mkdir(newDir, { recursive: true });
    for (const entry of old) (await placeCopy(io, path.join(oldDir, entry), path.join(newDir, entry)) ? copied : kept).push(entry);
    await writeAtomic(io, marker, JSON.stringify(record, undefined, 2) + '\n');
  } catch (e) {
    const undo = await removeAll(io, copied.map((f) => path.join(newDir, f)));
    return {
      kind: 'failed',
      oldReadable: true,
      message: `Could not move saved instances from ${oldDir} to ${newDir}: ${errorMessage(e)}. The old files were left as they were${undo}; the move is tried again at the next start.`,
    };
  }

  const problems: string[] = [];
  let renamed: string | undefined;
  try {
    await io.rename(oldDir, movedTo);
    renamed = movedTo;
  } catch (e) {
    const deletable = kept.length ? '' : '; the old folder is no longer used and may be deleted';
    problems.push(`Could not rename ${oldDir} to ${path.basename(movedTo)}: ${errorMessage(e)}. Its files were copied to ${newDir}${deletable}.`);
    // The marker still stops a second migration; it now says the old folder stayed.
    await writeAtomic(io, marker, JSON.stringify({ ...record, oldFolderRenamedTo: null, renameError: errorMessage(e) }, undefined, 2) + '\n').catch(() => undefined);
  }
  for (const f of kept) problems.push(`Kept the existing ${path.join(newDir, f)}; the old ${f} was not copied over it and stays in ${renamed ?? oldDir}.`);
  const message = `Moved ${copied.length} saved instance file(s) from ${oldDir} to ${newDir}` + (renamed ? `; the old folder is now ${renamed}.` : '.');
  return { kind: 'migrated', message, copied, kept, movedTo: renamed, problems };
}

/** `*.json` entries of a store folder: what FileStore loads (temp files and set-aside `.corrupt-*` files are not). */
async function instanceFiles(io: MigrationFs, dir: string): Promise<string[]> {
  const entries = await io.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort();
}

/** Errors of file systems without hard links (FAT, some network shares): fall back to check-then-rename. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Copies one file into place atomically without replacing anything: the bytes go to a flushed temp file, which is
 * then hard-linked to its name. Unlike rename, link fails when the name exists, so a file that appeared meanwhile
 * (another window saving) wins. Returns false when the name was taken.
 */
async function placeCopy(io: MigrationFs, source: string, target: string): Promise<boolean> {
  const data = await io.readFile(source);
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await io.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await io.link(temp, target);
      return true;
    } catch (e) {
      if (code(e) === 'EEXIST') return false;
      if (!NO_LINKS.has(code(e) ?? '')) throw e;
      if (await exists(io, target)) return false;
      await io.rename(temp, target);
      return true;
    }
  } finally {
    await io.rm(temp, { force: true }).catch(() => undefined);
  }
}

async function writeAtomic(io: MigrationFs, file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await io.writeFile(temp, text, { mode: 0o600 });
    await io.rename(temp, file);
  } finally {
    await io.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Undoes the copies of a failed move; says what could not be undone, so the message never hides a leftover. */
async function removeAll(io: MigrationFs, files: readonly string[]): Promise<string> {
  const stuck: string[] = [];
  for (const f of files) await io.rm(f, { force: true }).catch(() => stuck.push(f));
  return stuck.length ? ` (${stuck.length} copied file(s) could not be removed again: ${stuck.join(', ')})` : '';
}

/** `instances.moved`, or `instances.moved-2`, … when an earlier move (another old location, a downgrade) took it. */
async function freeName(io: MigrationFs, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!(await exists(io, candidate))) return candidate;
  }
}

async function exists(io: MigrationFs, file: string): Promise<boolean> {
  try {
    await io.access(file);
    return true;
  } catch (e) {
    if (code(e) === 'ENOENT') return false;
    throw e;
  }
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
