#!/usr/bin/env node
// `npm start`: installs when needed, builds, then opens VS Code with the extension (when `code` is on PATH).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync(`${root}node_modules/.package-lock.json`)) run('npm', ['ci', '--no-audit', '--no-fund']);
run(process.execPath, ['esbuild.config.mjs']);
const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  run('code', [`--extensionDevelopmentPath=${root}`]);
} else {
  console.log(`\nBuilt dist/extension.js. To try it, open this folder in VS Code and press F5, or run:\n  code --extensionDevelopmentPath=${root}`);
}
