#!/usr/bin/env node
// Runs the integration suite inside a real VS Code extension host through @vscode/test-electron's runTests().
// Online, runTests would download desktop VS Code; offline it cannot, so `vscodeExecutablePath` points at
// scripts/codeServerShim.mjs, which runs the same suite in code-server's extension host. Set VSCODE_EXECUTABLE to
// use a real desktop VS Code binary instead.
//
//   node test/integration/runTests.mjs [--counts <file>] [--grep <pattern>]
//
// Prints mocha's spec output; writes {passed, failed, skipped} to --counts (a failure is counted when anything is missing,
// so the layer never passes silently).
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../../scripts/provision.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const suiteSrc = join(root, 'test/integration/suite');
const suiteOut = join(root, 'out/test/integration/suite');
const shim = join(root, 'scripts/codeServerShim.mjs');

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const countsFile = arg('--counts');
const writeCounts = (c) => countsFile && writeFileSync(countsFile, JSON.stringify(c));

/**
 * Bundles index.ts and each *.test.ts to its own CommonJS file. `vscode` comes from the host; mocha stays external
 * (loaded from node_modules) so the `describe`/`it` the tests import belong to the mocha instance index.ts runs.
 */
async function buildSuite() {
  const entries = readdirSync(suiteSrc).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'));
  rmSync(suiteOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries.map((f) => join(suiteSrc, f)),
    outdir: suiteOut,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(suiteOut, 'index.js');
}

/** A scratch workspace: a copy of test/integration/workspace when it exists, so tests can edit files freely. */
function makeWorkspace(tmp) {
  const ws = join(tmp, 'workspace');
  const fixture = join(root, 'test/integration/workspace');
  if (existsSync(fixture)) cpSync(fixture, ws, { recursive: true });
  else {
    mkdirSync(ws);
    writeFileSync(join(ws, 'notes.md'), '# Scratch workspace\n\nA file to open and select text in.\n');
  }
  return ws;
}

async function main() {
  const executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) await provision({ browser: true });

  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building the extension (node esbuild.config.mjs) failed');
  const extensionTestsPath = await buildSuite();

  const tmp = mkdtempSync(join(tmpdir(), 'llm-fleet-integration-'));
  const suiteCounts = join(tmp, 'counts.json');
  try {
    const hostFailure = await runTests({
      vscodeExecutablePath: executable ?? shim,
      extensionDevelopmentPath: root,
      extensionTestsPath,
      launchArgs: [makeWorkspace(tmp), `--user-data-dir=${join(tmp, 'user-data')}`, `--extensions-dir=${join(tmp, 'extensions')}`],
      extensionTestsEnv: {
        LLM_FLEET_TEST_COUNTS: suiteCounts,
        // Keys come only from what a test stores in SecretStorage, never from the developer's environment.
        ANTHROPIC_API_KEY: '',
        OPENAI_API_KEY: '',
        ...(arg('--grep') ? { LLM_FLEET_TEST_GREP: arg('--grep') } : {}),
      },
    }).then(
      () => undefined,
      (e) => e,
    );
    // The suite writes its own counts; no file means it never ran (the extension host or the harness failed).
    if (!existsSync(suiteCounts)) throw new Error(`the suite never reported (${hostFailure?.message ?? 'see the output above'})`);
    const counts = JSON.parse(readFileSync(suiteCounts, 'utf8'));
    // The extension host's exit code is the last word: a crash after a clean report is still a failure.
    if (hostFailure && counts.failed === 0) {
      console.error(`integration: the suite reported ${counts.passed} passed, 0 failed, but then the extension host failed: ${hostFailure.message}`);
      counts.failed = 1;
    }
    writeCounts(counts);
    return counts.failed === 0 ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`integration: FAILED: ${e.message}`);
    writeCounts({ passed: 0, failed: 1 });
    process.exit(1);
  },
);
