// `npm test` must never report a green that hides a broken layer: an unknown layer name, a missing layer, a
// skipped test and an extension host that crashes after a clean report each fail the run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lastLine, runNode, scratchProject } from './support';

const PASSING = `import { it } from 'node:test';\nit('passes', () => {});\n`;

describe('the test runner', () => {
  it('rejects an unknown layer name instead of running nothing', () => {
    const r = runNode(['scripts/test.mjs', 'unti']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown test layer: unti\. The layers are: typecheck, unit, manifest, cli, start, integration, e2e, harness\./);
    assert.equal(lastLine(r.stdout), '0 passed, 1 failed');
  });

  it('fails a layer whose folder or config is missing', () => {
    const dir = scratchProject({ 'test/unit/a.test.ts': PASSING });
    try {
      const r = runNode(['scripts/test.mjs', 'unit', 'cli', 'typecheck'], { cwd: dir });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /test\/cli is missing: this layer has no tests to run\./);
      for (const config of ['tsconfig.json', 'src/webview/tsconfig.json', 'test/bench/render/tsconfig.json']) {
        assert.ok(r.stderr.includes(`${config} is missing, so part of the code is not type-checked.`), config);
      }
      assert.match(r.stdout, /unit: 1 passed, 0 failed/);
      assert.equal(lastLine(r.stdout), '1 passed, 4 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts skipped and todo tests, names them, and fails the run', () => {
    const tests = `import { it } from 'node:test';\nit('passes', () => {});\nit.skip('skipped', () => {});\nit.todo('todo');\nit('skipped inside', (t) => t.skip());\n`;
    const dir = scratchProject({ 'test/unit/a.test.ts': tests });
    try {
      const r = runNode(['scripts/test.mjs', 'unit'], { cwd: dir });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /unit: 1 passed, 0 failed, 3 skipped/);
      assert.match(r.stdout, /^3 skipped \(a skipped or todo test fails the run\)$/m);
      assert.equal(lastLine(r.stdout), '1 passed, 3 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes a clean layer with nothing skipped', () => {
    const dir = scratchProject({ 'test/unit/a.test.ts': PASSING });
    try {
      const r = runNode(['scripts/test.mjs', 'unit'], { cwd: dir });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^0 skipped$/m);
      assert.equal(lastLine(r.stdout), '1 passed, 0 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a node:test layer whose process exits non-zero after every test passed', () => {
    const crash = `import { it, after } from 'node:test';\nit('passes', () => {});\nafter(() => setTimeout(() => process.exit(7), 10));\n`;
    const dir = scratchProject({ 'test/unit/a.test.ts': crash });
    try {
      const r = runNode(['scripts/test.mjs', 'unit'], { cwd: dir });
      assert.equal(r.status, 1);
      // node:test itself reports the file's exit as a failed test; the runner's own exit-code check backs it up.
      assert.equal(lastLine(r.stdout), '1 passed, 1 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the integration layer when the extension host crashes after the suite reported success', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'llm-fleet-crash-'));
    const counts = join(tmp, 'counts.json');
    try {
      const r = runNode(['test/integration/runTests.mjs', '--counts', counts, '--grep', 'smoke'], {
        env: { LLM_FLEET_TEST_CRASH_AFTER_SUITE: '1' },
        timeoutMs: 240_000,
      });
      assert.ok(existsSync(counts), `no counts written:\n${r.stdout}\n${r.stderr}`);
      const result = JSON.parse(readFileSync(counts, 'utf8'));
      assert.ok(result.passed >= 2, `the smoke tests themselves ran and passed (${JSON.stringify(result)})`);
      assert.equal(result.failed, 1);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /the suite reported \d+ passed, 0 failed, but then the extension host failed/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
