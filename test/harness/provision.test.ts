// Provisioning's bad days: no registry, a read-only or full cache, and two runs at once. Each gets a clear error or
// waits its turn, and nothing half-installed is left to count as provisioned later.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NODE_VERSION, lock } from '../../scripts/provision.mjs';
import { runNode } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'llm-fleet-provision-'));
after(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', [m]);
  rmSync(scratch, { recursive: true, force: true });
});

const mounts: string[] = [];
/** A tmpfs of `size` (e.g. '1m'), read-only when asked: a real full or read-only disk, which root cannot fake with chmod. */
function tmpfs(name: string, size: string, readOnly = false): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `these tests need to mount a tmpfs (run as root): ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** `node scripts/provision.mjs --no-browser` with this cache and a home whose .npmrc points at `registry`. */
function provisionWith(cache: string, registry = 'http://127.0.0.1:9/') {
  const home = mkdtempSync(join(scratch, 'home-'));
  writeFileSync(join(home, '.npmrc'), `registry=${registry}\nfetch-retries=0\nfetch-timeout=5000\n`);
  return runNode(['scripts/provision.mjs', '--no-browser'], { env: { HOME: home, LLM_FLEET_VSCODE_CACHE: cache, XDG_CACHE_HOME: join(home, '.cache') } });
}

describe('provisioning', () => {
  it('names the package and what to check when the registry cannot be reached, and a rerun starts over cleanly', () => {
    const cache = join(scratch, 'offline-cache');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = provisionWith(cache);
      assert.equal(r.status, 1, `attempt ${attempt}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`FAILED: npm install node@${NODE_VERSION.replace(/\./g, '\\.')} could not reach the npm registry`));
      assert.match(r.stderr, /Check your network, proxy and the registry in ~\/\.npmrc/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(existsSync(join(cache, 'stamp.json')), false, 'nothing counts as provisioned');
      assert.equal(existsSync(join(cache, 'node24')), false, 'no half-installed Node is kept');
      assert.deepEqual(readdirSync(cache).filter((f) => f !== 'provision.lock'), []);
    }
  });

  it('says which cache folder is read-only', () => {
    const cache = tmpfs('read-only', '1m', true);
    const r = provisionWith(cache);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`FAILED: the cache folder ${cache} is not writable \\(EROFS\\)\\. Set LLM_FLEET_VSCODE_CACHE to a writable folder`));
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });

  it('says how much room a full cache disk has, before downloading anything', () => {
    const cache = tmpfs('full', '1m');
    const r = provisionWith(cache);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`FAILED: the cache folder ${cache} has 1 MB free; provisioning needs about 2 GB`));
    assert.doesNotMatch(r.stdout, /installing node@/, 'no download was started');
  });

  it('lets two runs share the cache: the second waits for the first, and a dead owner\'s lock is taken over', async () => {
    const file = join(scratch, 'provision.lock');
    const release = await lock(file);
    let second = false;
    const waiting = lock(file).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(second, false, 'the second run waits while the first holds the lock');
    release();
    (await waiting)();
    assert.equal(second, true);

    // A run that was killed leaves its lock behind with its (now dead) pid.
    writeFileSync(file, '999999999');
    utimesSync(file, new Date(Date.now() - 5000), new Date(Date.now() - 5000));
    const taken = await lock(file);
    taken();
    assert.equal(existsSync(file), false);
  });
});
