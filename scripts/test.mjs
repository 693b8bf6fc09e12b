#!/usr/bin/env node
// Runs every test layer that exists and closes with one line: "N passed, N failed".
// Layers: type-check, unit, manifest, real Claude Code CLI, integration (real extension host), UI end to end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2); // e.g. `npm test -- unit cli`
let passed = 0;
let failed = 0;
const summary = [];

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
}

function layer(name, fn) {
  if (only.length && !only.includes(name)) return;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = fn();
  passed += r.passed;
  failed += r.failed;
  summary.push(`${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function testFiles(dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Runs a test process that writes `{passed, failed}` to the file it is given; `start(countsFile)` runs it. No file
 * counts as one failure, so a layer never passes silently.
 */
function counted(what, start) {
  const tmp = mkdtempSync(join(tmpdir(), 'llm-fleet-counts-'));
  const counts = join(tmp, 'counts.json');
  const r = start(counts);
  let result = { passed: 0, failed: 1 };
  try {
    result = JSON.parse(readFileSync(counts, 'utf8'));
  } catch {
    console.error(`${what}: the test run produced no counts (exit ${r.status}, signal ${r.signal}).`);
  }
  rmSync(tmp, { recursive: true, force: true });
  // A crash after the last test (or a file that failed to load) shows only in the exit code.
  if (r.status !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

/** Runs node:test files under tsx; counts come from our reporter, the spec output goes to the console. */
function nodeTests(dir, { timeoutMs = 60_000, concurrency = 1, env = {} } = {}) {
  const files = testFiles(dir);
  if (files.length === 0) return { passed: 0, failed: 1, note: console.error(`No tests found in ${dir}.`) };
  return counted(dir, (counts) => run(process.execPath, [
    '--import', 'tsx', '--test',
    `--test-timeout=${timeoutMs}`, `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/countReporter.mjs')}`, `--test-reporter-destination=${counts}`,
    ...files,
  ], { env }));
}

layer('typecheck', () => {
  const ok = ['tsconfig.json', 'src/webview/tsconfig.json', 'test/bench/render/tsconfig.json']
    .filter((p) => existsSync(join(root, p)))
    .map((p) => run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', p]).status === 0);
  return { passed: ok.filter(Boolean).length, failed: ok.filter((x) => !x).length };
});
layer('unit', () => nodeTests('test/unit', { concurrency: 2 }));
layer('manifest', () => nodeTests('test/manifest'));
if (existsSync(join(root, 'test/cli'))) layer('cli', () => nodeTests('test/cli', { timeoutMs: 120_000 }));

/** Node 24, code-server and chromium, cached outside the clone (~0 s once done; a few minutes the first time). */
function provisioned() {
  const ok = run(process.execPath, [join(root, 'scripts/provision.mjs')]).status === 0;
  if (!ok) console.error('Provisioning a real VS Code failed (see above); this layer counts as one failure.');
  return ok;
}

// The real extension host (code-server's, through @vscode/test-electron and scripts/codeServerShim.mjs).
layer('integration', () => {
  if (!provisioned()) return { passed: 0, failed: 1 };
  return counted('integration', (counts) => run(process.execPath, [join(root, 'test/integration/runTests.mjs'), '--counts', counts]));
});

// The packaged .vsix in a real workbench, driven from chromium. Packaged once here for every e2e file.
layer('e2e', () => {
  if (!provisioned()) return { passed: 0, failed: 1 };
  // Screenshots are this run's only: a reviewer must not mistake an old failure for a new one.
  rmSync(join(root, 'test-results/screenshots'), { recursive: true, force: true });
  if (run('npm', ['run', '--silent', 'package']).status !== 0) {
    console.error('e2e: npm run package failed; no .vsix to install.');
    return { passed: 0, failed: 1 };
  }
  return nodeTests('test/e2e', { timeoutMs: 300_000, env: { LLM_FLEET_VSIX: join(root, 'dist/llm-fleet.vsix') } });
});

console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
