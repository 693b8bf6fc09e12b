// The suite entry that VS Code loads as `extensionTestsPath`. It runs inside the real extension host, so tests use
// the real `vscode` API and the extension under development. Every `*.test.ts` beside this file is bundled to its
// own `*.test.js` (see ../build.ts) and loaded here; mocha itself is resolved from node_modules at run time.
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs every test file; rejects when any test or hook failed, which makes VS Code exit with code 1. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, slow: 5_000 });
  const grep = process.env.LLM_FLEET_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(join(__dirname, f));

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      writeCounts(0, 1, 0);
      return reject(new Error(`No *.test.js files next to ${__filename}.`));
    }
    try {
      const runner = mocha.run((failures) => {
        writeCounts(runner.stats?.passes ?? 0, failures, runner.stats?.pending ?? 0);
        // The runner's own test (test/harness) crashes the host here, after a clean report, to prove the layer
        // still fails. The host patches process.exit away; a kill is what a real crash looks like.
        if (process.env.LLM_FLEET_TEST_CRASH_AFTER_SUITE) process.kill(process.pid, 'SIGKILL');
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
    } catch (e) {
      // A test file that throws while loading lands here, before any test ran.
      writeCounts(0, 1, 0);
      reject(e);
    }
  });
}

/** The runner outside the extension host reads these counts to add them to `npm test`'s total. */
function writeCounts(passed: number, failed: number, skipped: number): void {
  const file = process.env.LLM_FLEET_TEST_COUNTS;
  if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
}
