#!/usr/bin/env node
// `npm start`: installs when needed and builds; then opens VS Code with the extension when `code` is on PATH, or else
// serves the real VS Code workbench (code-server, provisioned outside the clone) on 127.0.0.1 with the packaged
// extension installed, prints the URL, and runs until Ctrl+C. Its profile lives in the cache (or in
// $LLM_FLEET_PROFILE), so instances and settings survive a restart.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanNpmEnv } from './npmEnv.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Nested npm runs start from a clean npm environment, not this `npm start`'s (see npmEnv.mjs).
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: cleanNpmEnv() });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const onPath = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

if (!existsSync(join(root, 'node_modules/.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);

if (onPath('code')) {
  run(process.execPath, ['esbuild.config.mjs']);
  run('code', [`--extensionDevelopmentPath=${root}`, root]);
  process.exit(0);
}

// No desktop VS Code here: serve the real workbench instead. Imported late: these need the installed packages.
const { cacheDir, provision } = await import('./provision.mjs');
const { freePort, installExtension, serverDirs, startCodeServer } = await import('./codeServer.mjs');

run('npm', ['run', '--silent', 'package']);
const provisioned = await provision({ browser: false });
const stateDir = process.env.LLM_FLEET_PROFILE || join(cacheDir(), 'start-profile');
mkdirSync(stateDir, { recursive: true });
const dirs = serverDirs(stateDir);
installExtension(provisioned, dirs, join(root, 'dist/llm-fleet.vsix'));

// Without `claude` on PATH, Claude Code instances use the CLI this project pins (it uses your own Claude login).
const pinnedClaude = join(root, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe');
const machineSettings = !onPath('claude') && existsSync(pinnedClaude) ? { 'llmFleet.claudeCode.path': pinnedClaude } : undefined;

const wanted = Number(process.env.LLM_FLEET_PORT ?? 8080);
const port = (await isFree(wanted)) ? wanted : await freePort();
// Anyone on this machine can reach 127.0.0.1: the workbench (which has a terminal) asks for a password, and
// workspace trust stays on, so an untrusted folder runs in restricted mode.
const password = randomBytes(12).toString('base64url');
const server = await startCodeServer(provisioned, { dirs, port, machineSettings, password, workspaceTrust: true });
const folder = process.env.LLM_FLEET_FOLDER ?? root;
console.log(`\nLLM Fleet is running in VS Code (code-server ${server.url}, the extension installed from dist/llm-fleet.vsix).`);
if (machineSettings) console.log(`Claude Code instances use the pinned CLI: ${pinnedClaude}`);
console.log(`\n  Open: ${server.folderUrl(folder)}`);
console.log(`  Password: ${password}   (new each start)\n`);
console.log('Press Ctrl+C to stop. Instances and settings are kept for next time.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await server.stop();
    process.exit(0);
  });
}

async function isFree(p) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
