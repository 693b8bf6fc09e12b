#!/usr/bin/env node
// Runs every test layer and closes with one line: "N passed, N failed".
//   npm test                 every layer
//   npm test -- unit cli     only those (an unknown name is an error, not an empty green)
// A layer whose folder or config is missing fails; a skipped or todo test fails the run, and the line before the
// last says how many there were.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanNpmEnv } from './npmEnv.mjs';

const root = new URL('..', import.meta.url).pathname;
const TSCONFIGS = ['tsconfig.json', 'src/webview/tsconfig.json', 'test/bench/render/tsconfig.json'];

function run(cmd, args, opts = {}) {
  // Run from inside a node:test file (the harness layer does), NODE_TEST_CONTEXT would make every layer's
  // `node --test` report to that file's runner instead of to our reporter.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...opts.env } });
}

/** A layer that cannot run is one failure with the reason, never a silent zero. */
const broken = (why) => {
  console.error(`FAILED: ${why}`);
  return { passed: 0, failed: 1 };
};

function testFiles(dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Runs a test process that writes `{passed, failed, skipped}` to the file it is given; `start(countsFile)` runs
 * it. No file counts as one failure, and so does a non-zero exit after a clean report (a crash after the last
 * test, or a file that failed to load).
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
  if (r.status !== 0 && result.failed === 0) {
    console.error(`${what}: every test passed, but the run exited with ${r.status ?? r.signal}; counted as a failure.`);
    result.failed = 1;
  }
  return result;
}

/** Runs node:test files under tsx; counts come from our reporter, the spec output goes to the console. */
function nodeTests(dir, { timeoutMs = 60_000, concurrency = 1, env = {} } = {}) {
  if (!existsSync(join(root, dir))) return broken(`${dir} is missing: this layer has no tests to run.`);
  const files = testFiles(dir);
  if (files.length === 0) return broken(`no *.test.ts files in ${dir}.`);
  return counted(dir, (counts) => run(process.execPath, [
    '--import', 'tsx', '--test',
    `--test-timeout=${timeoutMs}`, `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/countReporter.mjs')}`, `--test-reporter-destination=${counts}`,
    ...files,
  ], { env }));
}

/** Node 24, code-server and chromium, cached outside the clone (~0 s once done; a few minutes the first time). */
function provisioned() {
  const ok = run(process.execPath, [join(root, 'scripts/provision.mjs')]).status === 0;
  if (!ok) console.error('Provisioning a real VS Code failed (see above); this layer counts as one failure.');
  return ok;
}

/** The packaged .vsix, built once for every layer that installs it. */
let vsix;
function packaged() {
  if (vsix !== undefined) return vsix;
  vsix = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit', env: cleanNpmEnv() }).status === 0 ? join(root, 'dist/llm-fleet.vsix') : null;
  if (!vsix) console.error('npm run package failed; no .vsix to install.');
  return vsix;
}

const LAYERS = {
  typecheck() {
    let passed = 0;
    let failed = 0;
    for (const p of TSCONFIGS) {
      if (!existsSync(join(root, p))) {
        broken(`${p} is missing, so part of the code is not type-checked.`);
        failed++;
      } else if (run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', p]).status === 0) passed++;
      else failed++;
    }
    return { passed, failed };
  },
  unit: () => nodeTests('test/unit', { concurrency: 2 }),
  manifest: () => nodeTests('test/manifest'),
  cli: () => nodeTests('test/cli', { timeoutMs: 120_000 }),
  // `npm start` as a user runs it. First of the workbench layers, so in CI it is the one that provisions cold.
  start: () => nodeTests('test/start', { timeoutMs: 900_000 }),
  // The real extension host (code-server's, through @vscode/test-electron and scripts/codeServerShim.mjs).
  integration() {
    if (!provisioned()) return { passed: 0, failed: 1 };
    return counted('integration', (counts) => run(process.execPath, [join(root, 'test/integration/runTests.mjs'), '--counts', counts]));
  },
  // The packaged .vsix in a real workbench, driven from chromium.
  e2e() {
    if (!provisioned()) return { passed: 0, failed: 1 };
    // Screenshots are this run's only: a reviewer must not mistake an old failure for a new one.
    rmSync(join(root, 'test-results/screenshots'), { recursive: true, force: true });
    if (!packaged()) return { passed: 0, failed: 1 };
    return nodeTests('test/e2e', { timeoutMs: 300_000, env: { LLM_FLEET_VSIX: vsix } });
  },
  // The runner itself: unknown layers, missing layers, skipped tests and a host crash after the suite all fail.
  harness: () => nodeTests('test/harness', { timeoutMs: 300_000 }),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !Object.hasOwn(LAYERS, name));
if (unknown.length > 0) {
  console.error(`Unknown test layer${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. The layers are: ${Object.keys(LAYERS).join(', ')}.`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const [name, fn] of Object.entries(LAYERS)) {
  if (asked.length > 0 && !asked.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = fn();
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped ?? 0;
  const extra = r.skipped ? `, ${r.skipped} skipped` : '';
  summary.push(`${name}: ${r.passed} passed, ${r.failed} failed${extra} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

console.log('\n' + summary.join('\n'));
// A skipped test proves nothing, so it fails the run; it is named here and counted among the failures below.
console.log(`${skipped} skipped${skipped > 0 ? ' (a skipped or todo test fails the run)' : ''}`);
console.log(`${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped === 0 ? 0 : 1);
