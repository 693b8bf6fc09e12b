#!/usr/bin/env node
// Provisions a real VS Code for offline runs: Node 24 and code-server from npm, Debian's chromium for the UI.
// Everything is cached outside the clone (code-server alone is ~600 MB and takes ~2 min to compile), guarded by a
// lock so the integration and e2e layers can both call it, and stamped so a second run costs ~0 s.
// The measured recipe and its pitfalls: ../shared/notes/real-vscode-offline.md.
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanNpmEnv } from './npmEnv.mjs';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';

/** The cache root: `$LLM_FLEET_VSCODE_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/llm-fleet-vscode`. */
export function cacheDir() {
  if (process.env.LLM_FLEET_VSCODE_CACHE) return process.env.LLM_FLEET_VSCODE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'llm-fleet-vscode');
}

const log = (msg) => console.log(`[provision] ${msg}`);

/** A failure the user can act on: what failed, and what to do. */
export class ProvisionError extends Error {}

/**
 * Makes sure Node 24, code-server and (when `browser`) chromium are there, and returns where they are.
 * @param {{ browser?: boolean }} [opts]
 * @returns {Promise<{ node: string, nodeDir: string, codeServerEntry: string, chromium: string | undefined, cache: string }>}
 */
export async function provision({ browser = true } = {}) {
  const cache = cacheDir();
  const paths = layout(cache);
  if (isStamped(paths) && (!browser || existsSync(CHROMIUM))) return result(paths, browser);
  writableCache(cache);

  const release = await lock(join(cache, 'provision.lock'));
  try {
    const started = Date.now();
    // The apt step comes first: libkrb5-dev is needed to compile code-server's kerberos module.
    ensureApt(browser ? ['chromium', 'libkrb5-dev'] : isStamped(paths) ? [] : ['libkrb5-dev']);
    if (!isStamped(paths)) {
      log(`provisioning into ${cache} (cold: nothing usable is cached there)`);
      roomFor(cache);
      // A stamp from another version, or a half-finished earlier try, must not count: it goes before anything else.
      rmSync(paths.stamp, { force: true });
      installNode(paths);
      installCodeServer(paths);
      writeFileSync(paths.stamp, JSON.stringify({ node: NODE_VERSION, codeServer: CODE_SERVER_VERSION }) + '\n');
    }
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: ${cache})`);
    return result(paths, browser);
  } finally {
    release();
  }
}

/** Node 24 and code-server take ~1.2 GB once installed, and npm needs room to unpack. */
const NEEDED_BYTES = 2 * 1024 ** 3;

const FS_ADVICE = 'Set LLM_FLEET_VSCODE_CACHE to a writable folder with about 2 GB free, then rerun.';

/** The cache folder exists and can be written, or a ProvisionError says which folder and why. */
function writableCache(cache) {
  try {
    mkdirSync(cache, { recursive: true });
    accessSync(cache, constants.W_OK);
    // Root passes access() on a read-only mount; only a real write tells.
    const probe = join(cache, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new ProvisionError(`the cache folder ${cache} is not writable (${e.code ?? e.message}). ${FS_ADVICE}`);
  }
}

/** Fails before a download when the cache's disk is too full to hold the install. */
function roomFor(cache) {
  const { bavail, bsize } = statfsSync(cache);
  const free = bavail * bsize;
  if (free < NEEDED_BYTES) {
    throw new ProvisionError(`the cache folder ${cache} has ${(free / 1024 ** 2).toFixed(0)} MB free; provisioning needs about ${NEEDED_BYTES / 1024 ** 3} GB. Free some space or ${FS_ADVICE.charAt(0).toLowerCase()}${FS_ADVICE.slice(1)}`);
  }
}

function layout(cache) {
  return {
    nodePrefix: join(cache, 'node24'),
    csPrefix: join(cache, 'code-server'),
    stamp: join(cache, 'stamp.json'),
  };
}

function isStamped(paths) {
  try {
    const s = JSON.parse(readFileSync(paths.stamp, 'utf8'));
    return s.node === NODE_VERSION && s.codeServer === CODE_SERVER_VERSION && existsSync(codeServerEntry(paths)) && existsSync(nodeBin(paths));
  } catch {
    return false;
  }
}

function result(paths, browser) {
  if (browser && !existsSync(CHROMIUM)) {
    throw new ProvisionError(`${CHROMIUM} is missing and could not be installed (needs root and apt). Install it: sudo apt-get install -y chromium`);
  }
  const node = nodeBin(paths);
  return { node, nodeDir: join(node, '..', '..'), codeServerEntry: codeServerEntry(paths), chromium: browser ? CHROMIUM : undefined, cache: cacheDir() };
}

/** The `node` npm package installs the real binary as a dependency named `node-<os>-<arch>`, headers included. */
function nodeBin(paths) {
  const dir = join(paths.nodePrefix, 'node_modules/node/node_modules');
  const pkg = existsSync(dir) ? readdirSync(dir).find((d) => d.startsWith(`node-${process.platform}-`)) : undefined;
  return join(dir, pkg ?? `node-${process.platform}-${process.arch}`, 'bin/node');
}

function codeServerEntry(paths) {
  return join(paths.csPrefix, 'node_modules/code-server/out/node/entry.js');
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new ProvisionError(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) log(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r.status === 0;
}

/**
 * `npm install <spec>` in `cwd`, its output on the console (a cold install is long, and npm's progress is the user's
 * only sign of life). On a failure, `npm ping` tells whether the registry could be reached at all.
 * @returns {{ ok: boolean, unreachable: boolean }}
 */
function npmInstall(spec, cwd, env) {
  if (sh('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', spec], { cwd, env })) return { ok: true, unreachable: false };
  const ping = spawnSync('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=15000'], { cwd, env, stdio: 'ignore', timeout: 30_000 });
  return { ok: false, unreachable: ping.status !== 0 };
}

function unreachable(spec) {
  return new ProvisionError(
    `npm install ${spec} could not reach the npm registry (see npm's error above). Check your network, proxy and the registry in ~/.npmrc (\`npm config get registry\`), then rerun: nothing half-installed is kept.`,
  );
}

function ensureApt(packages) {
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    // Not fatal here: chromium may live elsewhere, and the headers may come from another package; the steps that
    // need them fail with their own message.
    log(`missing system packages: ${missing.join(' ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`);
    return;
  }
  log(`apt-get install ${missing.join(' ')} (chromium takes ~45 s)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!sh('apt-get', ['update', '-qq'], { env }) || !sh('apt-get', ['install', '-y', '-qq', ...missing], { env })) {
    throw new ProvisionError(`apt-get install ${missing.join(' ')} failed (see above). Fix apt, or install them by hand, then rerun.`);
  }
}

function freshPrefix(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
}

function installNode(paths) {
  log(`installing node@${NODE_VERSION} from npm (~10 s)`);
  freshPrefix(paths.nodePrefix);
  const { ok, unreachable: offline } = npmInstall(`node@${NODE_VERSION}`, paths.nodePrefix, cleanNpmEnv());
  if (offline) {
    rmSync(paths.nodePrefix, { recursive: true, force: true });
    throw unreachable(`node@${NODE_VERSION}`);
  }
  const bin = nodeBin(paths);
  const version = ok && existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (version !== `v${NODE_VERSION}`) {
    throw new ProvisionError(`npm install node@${NODE_VERSION} failed (got "${version || 'no binary'}" at ${bin}). Check that the npm registry is reachable, then rerun.`);
  }
}

function installCodeServer(paths) {
  log(`installing code-server@${CODE_SERVER_VERSION} under Node ${NODE_VERSION} (~2 min: it compiles native modules)`);
  freshPrefix(paths.csPrefix);
  const nodeDir = join(nodeBin(paths), '..', '..');
  // npm itself must run under Node 24 with none of the outer npm's environment (code-server's postinstall reads the
  // Node major from npm_config_user_agent), and node-gyp must see Node 24's headers, not the `nodedir=/usr` that a
  // ~/.npmrc may set.
  const env = cleanNpmEnv({ PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeDir });
  const spec = `code-server@${CODE_SERVER_VERSION}`;
  const install = () => {
    const r = npmInstall(spec, paths.csPrefix, env);
    if (r.unreachable) {
      rmSync(paths.csPrefix, { recursive: true, force: true });
      throw unreachable(spec);
    }
    return r.ok;
  };
  // Once, in a cold run, npm exited non-zero although the install had finished; a second try costs ~2 min, not a red CI.
  let ok = install();
  if (!ok) {
    log('npm install code-server failed; retrying once in a clean folder');
    freshPrefix(paths.csPrefix);
    ok = install();
  }
  const version = ok ? codeServerVersion(paths) : '';
  if (!version.includes(`${CODE_SERVER_VERSION} `)) {
    rmSync(paths.csPrefix, { recursive: true, force: true });
    throw new ProvisionError(
      `npm install code-server@${CODE_SERVER_VERSION} failed (see the npm output above). ` +
        `A "gssapi/gssapi.h: No such file" error means libkrb5-dev is missing: sudo apt-get install -y libkrb5-dev. Then rerun.`,
    );
  }
}

/**
 * `code-server --version`, run with its XDG dirs in a scratch folder: on a first run it writes a config file there
 * (and says so on stdout) instead of in $HOME.
 */
function codeServerVersion(paths) {
  const scratch = mkdtempSync(join(tmpdir(), 'llm-fleet-cs-version-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: join(scratch, 'config'), XDG_DATA_HOME: join(scratch, 'data'), XDG_CACHE_HOME: join(scratch, 'cache') };
    return spawnSync(nodeBin(paths), [codeServerEntry(paths), '--version'], { encoding: 'utf8', env }).stdout ?? '';
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * An exclusive lock file holding the owner's pid. A lock whose owner is gone is taken over; a live owner is waited
 * for (a cold provision takes a few minutes).
 */
export async function lock(file) {
  const deadline = Date.now() + 20 * 60_000;
  let said = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (!isAlive(owner) && Date.now() - statSync(file).mtimeMs > 1000) {
      // Rename first so two waiters cannot both delete a lock that a third has just taken.
      try {
        renameSync(file, `${file}.stale-${process.pid}`);
        rmSync(`${file}.stale-${process.pid}`, { force: true });
      } catch {}
      continue;
    }
    if (!said) log(`waiting for another provisioning run (pid ${owner})`);
    said = true;
    if (Date.now() > deadline) throw new ProvisionError(`timed out waiting for the lock ${file} (pid ${owner}). If no provisioning runs, delete it.`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// Run directly: `node scripts/provision.mjs [--no-browser]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // No top-level await: tests load this module through require(esm), which refuses async modules.
  provision({ browser: !process.argv.includes('--no-browser') }).then(
    (r) => {
      log(`node ${r.node}`);
      log(`code-server ${r.codeServerEntry}`);
      if (r.chromium) log(`chromium ${r.chromium}`);
    },
    (e) => {
      console.error(`[provision] FAILED: ${e instanceof ProvisionError ? e.message : e.stack}`);
      process.exit(1);
    },
  );
}
