#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron would download (`vscodeExecutablePath`), which
// is impossible offline. It takes the same arguments (--extensionDevelopmentPath=, --extensionTestsPath=, a folder,
// --user-data-dir=, --extensions-dir=; the Electron-only flags are ignored) and runs the suite in code-server's real
// extension host: the workbench, started with the smoke-test driver, reads the development and tests paths from the
// URL `payload`, runs the suite, and reports through window.codeAutomationLog / codeAutomationExit.
// Exits with the suite's exit code, like VS Code does.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { serverDirs, startCodeServer } from './codeServer.mjs';
import { provision } from './provision.mjs';

/**
 * The workbench's own start-up chatter and the errors of being offline (the open-vsx gallery, GitHub auth), which
 * would bury the suite's output. LLM_FLEET_SHIM_VERBOSE=1 shows them.
 */
const NOISE = new RegExp(
  [
    '^Resolv(ing|ed) connection token', '^Creating a socket', '^\\[reconnection-grace-time\\]', '^Updating additional builtin extensions cache',
    '^\\[Service Worker\\]', '^\\[AgentHost', '^\\[AccountPolicyGate\\]', 'ENOTFOUND open-vsx\\.org', "authentication provider 'github'",
  ].join('|'),
);
const verbose = Boolean(process.env.LLM_FLEET_SHIM_VERBOSE);
const TIMEOUT_MS = Number(process.env.LLM_FLEET_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);

function parseArgs(argv) {
  const out = { devPaths: [], testsPath: undefined, folder: undefined, userDataDir: undefined, extensionsDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--extensionDevelopmentPath') out.devPaths.push(resolve(value()));
    else if (flag === '--extensionTestsPath') out.testsPath = resolve(value());
    else if (flag === '--user-data-dir') out.userDataDir = resolve(value());
    else if (flag === '--extensions-dir') out.extensionsDir = resolve(value());
    else if (!a.startsWith('-')) out.folder = resolve(a);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (!args.testsPath || args.devPaths.length === 0) {
  console.error('codeServerShim: needs --extensionDevelopmentPath=… and --extensionTestsPath=… (as @vscode/test-electron passes).');
  process.exit(2);
}

const log = (msg) => console.log(`[shim] ${msg}`);
let cleanup = async () => {};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}

let code = 1;
try {
  const provisioned = await provision({ browser: true });
  const dirs = serverDirs();
  // test-electron's profile dirs are honoured, so a caller can keep or inspect them; by default they are temporary.
  if (args.userDataDir) dirs.userDataDir = args.userDataDir;
  if (args.extensionsDir) dirs.extensionsDir = args.extensionsDir;
  mkdirSync(dirs.userDataDir, { recursive: true });
  mkdirSync(dirs.extensionsDir, { recursive: true });
  const folder = args.folder ?? mkdtempSync(join(tmpdir(), 'llm-fleet-ws-'));

  const started = Date.now();
  const server = await startCodeServer(provisioned, { dirs, smokeTestDriver: true });
  let context;
  cleanup = async () => {
    cleanup = async () => {};
    await context?.close().catch(() => {});
    await server.stop();
  };
  log(`code-server ${server.url} healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  context = await launchBrowser(provisioned, dirs);
  const page = context.pages()[0] ?? (await context.newPage());
  let resolveExit;
  const exit = new Promise((r) => (resolveExit = r));
  // Everything the extension host logs (mocha's spec reporter included) comes through here.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // Extension-host console calls arrive as console.log's own arguments (mocha's spec reporter uses '%s').
    const text = Array.isArray(args) ? format(...args) : String(args);
    if (!verbose && NOISE.test(text)) return;
    (type === 'error' ? process.stderr : process.stdout).write(text + '\n');
  });
  await page.exposeFunction('codeAutomationExit', (c) => resolveExit(Number(c)));
  page.on('pageerror', (e) => console.error(`[shim] page error: ${e.message}`));

  const payload = [
    ...args.devPaths.map((p) => ['extensionDevelopmentPath', server.remoteUri(p)]),
    ['extensionTestsPath', server.remoteUri(args.testsPath)],
  ];
  await page.goto(server.folderUrl(folder, payload));
  log(`workbench opened on ${folder}; running ${args.testsPath}`);
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS).unref());
  const outcome = await Promise.race([exit, timeout, hostCrash(dirs.log)]);
  if (outcome === 'timeout') {
    console.error(`[shim] the suite did not finish within ${TIMEOUT_MS / 1000} s (did the extension fail to load? see ${dirs.log}).`);
  } else if (typeof outcome === 'string') {
    console.error(`[shim] the extension host crashed: ${outcome}`);
  } else {
    code = outcome;
    // The workbench reports the host's own exit code; a host killed after the suite reports nothing, and the
    // workbench then says 0. The server saw how it really ended.
    await sleep(500);
    const crash = abnormalHostExit(dirs.log);
    if (crash) {
      console.error(`[shim] the suite ended, but the extension host crashed: ${crash}`);
      code = code || 1;
    }
  }
  await cleanup();
} catch (e) {
  console.error(`[shim] ${e.stack ?? e}`);
  await cleanup();
}
process.exit(code);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** The first extension host exit that code-server logged with a non-zero code or a signal, or undefined. */
function abnormalHostExit(log) {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {}
  for (const [, code, signal] of text.matchAll(/Extension Host Process exited with code: (\S+), signal: (\S+)\./g)) {
    if (code !== '0' || signal !== 'null') return `exit code ${code}, signal ${signal} (see ${log})`;
  }
  return undefined;
}

/** Resolves with the reason once the server logs a crashed extension host, so a crash does not wait out the timeout. */
async function hostCrash(log) {
  for (;;) {
    await sleep(500);
    const crash = abnormalHostExit(log);
    // The workbench may still report the exit itself; give it a moment so its code wins when it comes.
    if (crash) return sleep(2000).then(() => crash);
  }
}
