// Starts and stops a real VS Code (code-server) on 127.0.0.1 for tests and `npm start`.
// Every server gets its own user-data, extensions and XDG dirs, so nothing lands in $HOME and runs never share
// state; stop() kills the whole process group and then sweeps any process that still carries this server's marker,
// so no extension host or file watcher outlives a run.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Settings that keep the workbench quiet and predictable: no welcome page, no empty chat side bar, no update checks. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
};

/** A marker env var that every process of one server inherits; stop() sweeps whatever still carries it. */
const MARKER = 'LLM_FLEET_CODE_SERVER_ID';

/** A free TCP port on 127.0.0.1 (the OS picks; there is a small window before the server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * The dirs of one server. With `stateDir` they persist (npm start); otherwise they live in a fresh temp dir that
 * stop() removes.
 */
export function serverDirs(stateDir) {
  const root = stateDir ?? mkdtempSync(join(tmpdir(), 'llm-fleet-cs-'));
  const dirs = {
    root,
    temporary: !stateDir,
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    xdg: { config: join(root, 'xdg/config'), data: join(root, 'xdg/data'), cache: join(root, 'xdg/cache') },
    config: join(root, 'config.yaml'),
    log: join(root, 'server.log'),
  };
  for (const d of [dirs.userDataDir, dirs.extensionsDir, ...Object.values(dirs.xdg)]) mkdirSync(d, { recursive: true });
  return dirs;
}

/** The environment for code-server and the browser: XDG dirs kept off $HOME, no VS Code variables leaking in. */
export function isolatedEnv(dirs, extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE'));
  return { ...env, XDG_CONFIG_HOME: dirs.xdg.config, XDG_DATA_HOME: dirs.xdg.data, XDG_CACHE_HOME: dirs.xdg.cache, [MARKER]: dirs.root, ...extra };
}

/** Installs a .vsix into the server's extensions dir (code-server's own CLI; ~1 s). */
export function installExtension(provisioned, dirs, vsix) {
  const r = spawnSync(
    provisioned.node,
    [provisioned.codeServerEntry, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--install-extension', vsix, '--force'],
    { env: isolatedEnv(dirs), encoding: 'utf8' },
  );
  sweep(dirs.root);
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}

/**
 * Starts code-server and resolves once /healthz answers.
 * @param {object} provisioned what provision() returned
 * @param {{ dirs?: ReturnType<typeof serverDirs>, smokeTestDriver?: boolean, port?: number, settings?: object, machineSettings?: object,
 *   env?: Record<string,string>, echo?: boolean, password?: string, workspaceTrust?: boolean }} [opts]
 *   smokeTestDriver: the workbench then reads the URL `payload` (extension development and tests paths), but hides
 *   toasts and dialogs, so UI tests need a server without it. echo: copy the server's output to this stdout.
 */
export async function startCodeServer(provisioned, opts = {}) {
  const dirs = opts.dirs ?? serverDirs();
  const settingsFile = join(dirs.userDataDir, 'User/settings.json');
  mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
  const existing = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8') || '{}') : {};
  const trust = opts.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {};
  writeFileSync(settingsFile, JSON.stringify({ ...existing, ...QUIET_SETTINGS, ...trust, ...opts.settings }, null, 2));
  // Machine-scoped settings (executable paths) are read from the server's Machine settings, not the user's: the
  // workbench treats code-server like a remote.
  if (opts.machineSettings) {
    mkdirSync(join(dirs.userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(dirs.userDataDir, 'Machine/settings.json'), JSON.stringify(opts.machineSettings, null, 2));
  }
  // An explicit (empty) config file, or code-server writes one with a random password under XDG_CONFIG_HOME.
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');

  const port = opts.port ?? (await freePort());
  const args = [
    provisioned.codeServerEntry,
    '--config', dirs.config,
    '--bind-addr', `127.0.0.1:${port}`,
    // Tests drive a throwaway server; a server for people (npm start) asks for a password.
    '--auth', opts.password ? 'password' : 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  // detached: its own process group, so stop() can signal the server and every child at once.
  const env = isolatedEnv(dirs, { ...opts.env, ...(opts.password ? { PASSWORD: opts.password } : {}) });
  const child = spawn(provisioned.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = createWriteStream(dirs.log, { flags: 'a' });
  for (const s of [child.stdout, child.stderr]) {
    s.pipe(logFile, { end: false });
    if (opts.echo) s.pipe(process.stdout, { end: false });
  }
  let exited = null;
  const exitedP = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));

  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    port,
    pid: child.pid,
    dirs,
    /** The workbench URL for a folder, with an optional payload (smoke-test-driver servers only). */
    folderUrl(folder, payload) {
      const q = new URLSearchParams({ folder });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `${url}/?${q}`;
    },
    /** A `vscode-remote://` URI for a path on this server, as the payload wants. */
    remoteUri: (path) => `vscode-remote://127.0.0.1:${port}${path}`,
    async stop() {
      if (!exited) {
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 8000);
        await exitedP;
        clearTimeout(timer);
      }
      // The group is gone once its leader has stopped them; anything that escaped the group (a detached child of a
      // child) still carries the marker.
      killGroup(child.pid, 'SIGKILL');
      await sweepAndWait(dirs.root);
      logFile.end();
      if (dirs.temporary) rmSync(dirs.root, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await server.stop();
      throw new Error(`code-server exited (${exited.code ?? exited.signal}) before it was healthy. Its log:\n${tail(dirs.log)}`);
    }
    if (await healthy(url)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer ${url}/healthz within 60 s. Its log:\n${tail(dirs.log)}`);
    }
    await sleep(200);
  }
}

async function healthy(url) {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

/** Pids of live processes whose environment carries this server's marker (Linux /proc; elsewhere none). */
export function markedPids(id) {
  if (!existsSync('/proc')) return [];
  const needle = `${MARKER}=${id}\0`;
  const pids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(needle)) pids.push(Number(p));
    } catch {}
  }
  return pids;
}

function sweep(id) {
  for (const pid of markedPids(id)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

async function sweepAndWait(id) {
  for (let i = 0; i < 50; i++) {
    const left = markedPids(id);
    if (left.length === 0) return;
    sweep(id);
    await sleep(100);
  }
  console.error(`[code-server] processes still alive after stop: ${markedPids(id).join(' ')}`);
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
