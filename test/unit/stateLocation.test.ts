// Where instances are kept: the workspace key (stable across code-server's host:port) and the one-time move of
// state out of the old per-workspace storageUri.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MIGRATION_MARKER, migrateState, MOVED_DIR, type MigrationFs, type MigrationOptions } from '../../src/core/stateMigration';
import { FileStore } from '../../src/core/store';
import { recordWorkspace, workspaceKey, type WorkspaceRef } from '../../src/core/workspaceKey';
import { tempDir } from './helpers';

const ref = (path: string, authority = '', scheme = 'vscode-remote'): WorkspaceRef => ({ kind: 'folder', scheme, authority, path });
const key = (path: string, authority = '', scheme = 'vscode-remote') => workspaceKey(ref(path, authority, scheme)).key;

describe('workspace key', () => {
  it('is the same for one folder whatever host:port serves it, and with or without a trailing slash', () => {
    const k = key('/home/dev/proj', '127.0.0.1:8080');
    assert.equal(key('/home/dev/proj', 'localhost:8081'), k);
    assert.equal(key('/home/dev/proj/', '[::1]:9999'), k);
    assert.equal(key('/home/dev/./x/../proj', ''), k);
    assert.equal(key('/home/dev/proj', '', 'file'), k, 'desktop (file:) and code-server (vscode-remote:) agree');
  });

  it('has the form <readable basename>-<16 hex of sha256(path)>', () => {
    const { key: k, identity } = workspaceKey(ref('/home/dev/proj', 'h:1'));
    assert.equal(identity, '/home/dev/proj');
    assert.equal(k, `proj-${createHash('sha256').update('/home/dev/proj').digest('hex').slice(0, 16)}`);
  });

  it('differs for different folders, even with the same name or names that differ only in case on POSIX', () => {
    const keys = ['/a/proj', '/b/proj', '/a/Proj', '/a/proj/sub', '/home/u/a\\b', '/home/u/a/b'].map((p) => key(p));
    assert.equal(new Set(keys).size, keys.length);
    assert.match(keys[0], /^proj-/);
  });

  it('makes odd names safe and readable: one path segment of [A-Za-z0-9._-], no leading dot, bounded length', () => {
    const odd = ['/home/u/.hidden dir', '/home/u/ünïcödé $(rm -rf) ..', '/home/u/a:b*c?"<>|', '/', '/home/u/' + 'x'.repeat(300), '/home/u/..', '/home/u/日本語'];
    const keys = odd.map((p) => key(p));
    for (const k of keys) {
      assert.match(k, /^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{16}$/, k);
      assert.ok(k.length <= 57, `${k} is short`);
    }
    assert.deepEqual(keys.map((k) => k.slice(0, -17)), ['hidden_dir', 'unicode_rm_-rf', 'a_b_c', 'workspace', 'x'.repeat(40), 'home', 'workspace']);
    assert.equal(new Set(keys).size, keys.length, 'the hash tells apart what the readable part cannot');
  });

  it('treats Windows paths as Windows does: one form for the drive letter, separators and case; UNC keeps its server', () => {
    const k = key('/c:/Users/Me/Proj', '', 'file');
    assert.equal(key('/C:/Users/Me/Proj', '', 'file'), k);
    assert.equal(key('C:\\Users\\me\\proj\\', '', 'file'), k);
    assert.equal(key('/c:/Users/Me/Proj', 'localhost:8080'), k);
    assert.equal(workspaceKey(ref('/C:/Users/Me/Proj', '', 'file')).identity, '/c:/users/me/proj');
    const unc = key('/share/Proj', 'Server', 'file');
    assert.equal(key('\\\\server\\share\\proj', '', 'file'), unc);
    assert.notEqual(key('/share/Proj', 'other', 'file'), unc, 'a UNC server is part of the path, not a host:port');
    assert.notEqual(key('/share/Proj', '', 'file'), unc);
  });

  it('keeps a virtual workspace apart from a real folder of the same path, whatever its authority', () => {
    assert.notEqual(key('/owner/repo', 'github', 'vscode-vfs'), key('/owner/repo', '', 'file'));
    assert.equal(key('/owner/repo', 'github', 'vscode-vfs'), key('/owner/repo', 'other', 'vscode-vfs'));
    assert.equal(workspaceKey(ref('/owner/repo', 'github', 'vscode-vfs')).identity, 'vscode-vfs:/owner/repo');
  });

  it('writes workspace.json naming the workspace, and rewrites it only when it says something else', async () => {
    const dir = await tempDir();
    try {
      const r: WorkspaceRef = { kind: 'workspace-file', scheme: 'vscode-remote', authority: 'h:8080', path: '/w/team.code-workspace' };
      const root = join(dir.path, 'workspaces', workspaceKey(r).key);
      await recordWorkspace(root, r, workspaceKey(r));
      const file = join(root, 'workspace.json');
      assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { version: 1, kind: 'workspace-file', path: '/w/team.code-workspace' });
      const before = (await fs.stat(file)).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      await recordWorkspace(root, { ...r, authority: 'h:8081' }, workspaceKey({ ...r, authority: 'h:8081' }));
      assert.equal((await fs.stat(file)).mtimeMs, before, 'the same workspace on another port leaves it alone');
      assert.deepEqual(await fs.readdir(root), ['workspace.json']);
    } finally {
      await dir.remove();
    }
  });
});

const instance = (name: string) => JSON.stringify({ version: 1, name, spec: { backend: 'anthropic', model: 'claude-haiku' }, createdAt: 1, transcript: [] });
const fail = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

describe('state migration', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let from: string;
  let to: string;
  const oldDir = () => join(from, 'instances');
  const newDir = () => join(to, 'instances');
  const ls = async (d: string) => (existsSync(d) ? (await fs.readdir(d)).sort() : undefined);
  const run = (o: Partial<MigrationOptions> = {}) => migrateState({ from, to, now: () => new Date('2025-01-02T03:04:05Z'), ...o });

  beforeEach(async () => {
    dir = await tempDir();
    from = join(dir.path, 'workspaceStorage', 'abc123', 'llm-fleet.llm-fleet');
    to = join(dir.path, 'globalStorage', 'llm-fleet.llm-fleet', 'workspaces', 'proj-0123456789abcdef');
    await fs.mkdir(oldDir(), { recursive: true });
    for (const n of ['alpha', 'beta']) await fs.writeFile(join(oldDir(), `${n}.json`), instance(n));
    await fs.writeFile(join(oldDir(), 'gamma.json.abc.tmp'), '{"half'); // an unfinished write: not state
    await fs.writeFile(join(oldDir(), 'delta.json.corrupt-1'), 'x'); // set aside earlier: stays with the old folder
  });
  afterEach(() => dir.remove());

  it('copies the instance files byte for byte, writes the marker, renames the old folder, and the store restores them', async () => {
    const result = await run();
    assert.equal(result.kind, 'migrated');
    assert.deepEqual(result.kind === 'migrated' && [result.copied, result.kept, result.problems], [['alpha.json', 'beta.json'], [], []]);
    assert.deepEqual(await ls(newDir()), ['alpha.json', 'beta.json']);
    assert.equal(await fs.readFile(join(newDir(), 'alpha.json'), 'utf8'), instance('alpha'));
    assert.equal((await fs.stat(join(newDir(), 'alpha.json'))).mode & 0o777, 0o600);
    assert.equal(existsSync(oldDir()), false);
    assert.deepEqual(await ls(join(from, MOVED_DIR)), ['alpha.json', 'beta.json', 'delta.json.corrupt-1', 'gamma.json.abc.tmp'], 'nothing deleted');
    const marker = JSON.parse(await fs.readFile(join(to, MIGRATION_MARKER), 'utf8'));
    assert.deepEqual(marker, { version: 1, from: oldDir(), at: '2025-01-02T03:04:05.000Z', copied: ['alpha.json', 'beta.json'], kept: [], oldFolderRenamedTo: join(from, MOVED_DIR) });
    assert.match(result.kind === 'migrated' ? result.message : '', /Moved 2 saved instance file\(s\) from .*instances to .*instances; the old folder is now .*instances\.moved/);
    const loaded = await new FileStore(to).loadAll();
    assert.deepEqual([loaded.instances.map((i) => i.name), loaded.problems], [['alpha', 'beta'], []]);
  });

  it('runs once: a second start is a no-op, even if an older version wrote the old folder again', async () => {
    await run();
    const marker = await fs.readFile(join(to, MIGRATION_MARKER), 'utf8');
    assert.deepEqual(await run(), { kind: 'none' });
    await fs.mkdir(oldDir());
    await fs.writeFile(join(oldDir(), 'late.json'), instance('late'));
    const again = await run();
    assert.deepEqual([again.kind, again.kind === 'skipped' && again.reason], ['skipped', 'already-migrated']);
    assert.deepEqual(await ls(newDir()), ['alpha.json', 'beta.json']);
    assert.deepEqual(await ls(oldDir()), ['late.json']);
    assert.equal(await fs.readFile(join(to, MIGRATION_MARKER), 'utf8'), marker);
  });

  it('does nothing without old state: a missing folder, no instance files, or the same root', async () => {
    await fs.rm(oldDir(), { recursive: true });
    assert.deepEqual(await run(), { kind: 'none' });
    await fs.mkdir(oldDir());
    await fs.writeFile(join(oldDir(), 'x.json.1.tmp'), '');
    assert.deepEqual(await run(), { kind: 'none' });
    assert.equal(existsSync(to), false, 'nothing was created in the new location');
    assert.deepEqual(await run({ to: from + '/' }), { kind: 'none' });
  });

  it('never merges into a new location that already holds instances', async () => {
    await fs.mkdir(newDir(), { recursive: true });
    await fs.writeFile(join(newDir(), 'alpha.json'), instance('alpha') + ' ');
    const result = await run();
    assert.deepEqual([result.kind, result.kind === 'skipped' && result.reason], ['skipped', 'in-use']);
    assert.match(result.kind === 'skipped' ? result.message : '', /2 saved instance file\(s\) in .* were left where they are: .* already holds 1 instance/);
    assert.deepEqual(await ls(oldDir()), ['alpha.json', 'beta.json', 'delta.json.corrupt-1', 'gamma.json.abc.tmp']);
    assert.equal(await fs.readFile(join(newDir(), 'alpha.json'), 'utf8'), instance('alpha') + ' ');
    assert.equal(existsSync(join(to, MIGRATION_MARKER)), false);
  });

  it('never overwrites a file that appears in the new location meanwhile, and reports it', async () => {
    // Another window saves 'beta' between the check and the copy.
    const racing: MigrationFs = { ...fs, open: (async (file: string, ...rest: [string, number]) => {
      if (file.startsWith(join(newDir(), 'beta.json.'))) await fs.writeFile(join(newDir(), 'beta.json'), 'theirs');
      return fs.open(file, ...rest);
    }) as MigrationFs['open'] };
    const result = await run({ fs: racing });
    assert.equal(result.kind, 'migrated');
    if (result.kind !== 'migrated') return;
    assert.deepEqual([result.copied, result.kept], [['alpha.json'], ['beta.json']]);
    assert.match(result.problems.join('\n'), /Kept the existing .*beta\.json; the old beta\.json was not copied over it and stays in .*instances\.moved/);
    assert.equal(await fs.readFile(join(newDir(), 'beta.json'), 'utf8'), 'theirs');
    assert.equal(await fs.readFile(join(from, MOVED_DIR, 'beta.json'), 'utf8'), instance('beta'));
    assert.deepEqual(await ls(newDir()), ['alpha.json', 'beta.json'], 'no temp file left');
  });

  it('still never overwrites on a file system without hard links', async () => {
    const noLinks: MigrationFs = { ...fs, link: async () => Promise.reject(fail('EPERM')) };
    await fs.mkdir(newDir(), { recursive: true });
    await fs.mkdir(join(newDir(), 'beta.json')); // taken, but not an instance file, so the location is not "in use"
    const result = await run({ fs: noLinks });
    assert.deepEqual(result.kind === 'migrated' && [result.copied, result.kept], [['alpha.json'], ['beta.json']]);
    assert.equal(await fs.readFile(join(newDir(), 'alpha.json'), 'utf8'), instance('alpha'));
  });

  it('carries a torn or corrupt old file over as it is, so the store sets it aside in the new location', async () => {
    const whole = instance('torn');
    await fs.writeFile(join(oldDir(), 'torn.json'), whole.slice(0, whole.length / 2));
    await fs.writeFile(join(oldDir(), 'misnamed.json'), instance('someone-else'));
    const result = await run();
    assert.deepEqual(result.kind === 'migrated' && result.copied, ['alpha.json', 'beta.json', 'misnamed.json', 'torn.json']);
    assert.equal(await fs.readFile(join(newDir(), 'torn.json'), 'utf8'), whole.slice(0, whole.length / 2));
    const loaded = await new FileStore(to).loadAll();
    assert.deepEqual(loaded.instances.map((i) => i.name), ['alpha', 'beta']);
    assert.deepEqual(loaded.problems.map((p) => p.file), [join(newDir(), 'misnamed.json'), join(newDir(), 'torn.json')]);
    assert.ok(loaded.problems.every((p) => p.setAsideTo && existsSync(p.setAsideTo)));
  });

  it('an unreadable old folder is a clear failure that changes nothing', async () => {
    const denied: MigrationFs = { ...fs, readdir: (async () => Promise.reject(fail('EACCES'))) as MigrationFs['readdir'] };
    const result = await run({ fs: denied });
    assert.deepEqual(result.kind === 'failed' && result.oldReadable, false);
    assert.match(result.kind === 'failed' ? result.message : '', /^Could not read the old state folder .*instances: EACCES: simulated\. Its files were left as they were\.$/);
    await fs.rm(oldDir(), { recursive: true });
    await fs.writeFile(oldDir(), 'not a folder');
    const notDir = await run();
    assert.match(notDir.kind === 'failed' ? notDir.message : '', /ENOTDIR/);
    assert.equal(existsSync(to), false);
  });

  for (const [what, io] of [
    ['the disk fills while copying', { open: failOnCall(2, 'ENOSPC', fs.open) }],
    ['the marker cannot be written', { writeFile: failOnCall(1, 'ENOSPC', fs.writeFile) }],
  ] as const) {
    it(`undoes the copies when ${what}, leaves the old folder alone, and the next start tries again`, async () => {
      const result = await run({ fs: { ...fs, ...io } as MigrationFs });
      assert.deepEqual(result.kind === 'failed' && result.oldReadable, true);
      assert.match(result.kind === 'failed' ? result.message : '', /^Could not move saved instances from .* to .*: ENOSPC: simulated\. The old files were left as they were; the move is tried again at the next start\.$/);
      assert.deepEqual(await ls(newDir()), [], 'no copy and no temp file left behind');
      assert.equal(existsSync(join(to, MIGRATION_MARKER)), false);
      assert.deepEqual(await ls(oldDir()), ['alpha.json', 'beta.json', 'delta.json.corrupt-1', 'gamma.json.abc.tmp']);
      assert.equal((await run()).kind, 'migrated');
      assert.deepEqual(await ls(newDir()), ['alpha.json', 'beta.json']);
    });
  }

  it('a read-only old folder: the files are copied, the problem is reported, and the marker stops a second move', async () => {
    const readOnly: MigrationFs = { ...fs, rename: async (a, b) => (a === oldDir() ? Promise.reject(fail('EROFS')) : fs.rename(a, b)) };
    const result = await run({ fs: readOnly });
    assert.equal(result.kind, 'migrated');
    if (result.kind !== 'migrated') return;
    assert.equal(result.movedTo, undefined);
    assert.match(result.problems.join('\n'), /Could not rename .*instances to instances\.moved: EROFS: simulated\. Its files were copied to .*; the old folder is no longer used and may be deleted\./);
    assert.deepEqual(await ls(oldDir()), ['alpha.json', 'beta.json', 'delta.json.corrupt-1', 'gamma.json.abc.tmp']);
    const marker = JSON.parse(await fs.readFile(join(to, MIGRATION_MARKER), 'utf8'));
    assert.deepEqual([marker.oldFolderRenamedTo, marker.renameError], [null, 'EROFS: simulated']);
    const again = await run();
    assert.deepEqual([again.kind, again.kind === 'skipped' && again.reason], ['skipped', 'already-migrated']);
  });

  it('renames to a free name when instances.moved is taken by an earlier move', async () => {
    await fs.mkdir(join(from, MOVED_DIR));
    await fs.writeFile(join(from, MOVED_DIR, 'older.json'), instance('older'));
    const result = await run();
    assert.equal(result.kind === 'migrated' && result.movedTo, join(from, `${MOVED_DIR}-2`));
    assert.deepEqual(await ls(join(from, MOVED_DIR)), ['older.json']);
  });
});

/** Wraps a file operation so that its `n`th call fails with `code`, as a full disk would. */
function failOnCall<F extends (...args: never[]) => Promise<unknown>>(n: number, code: string, real: F): F {
  let calls = 0;
  return (async (...args: Parameters<F>) => (++calls === n ? Promise.reject(fail(code)) : real(...args))) as F;
}
