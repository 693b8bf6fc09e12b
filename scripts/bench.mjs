#!/usr/bin/env node
// Runs the benchmarks in test/bench (all, or those named: `npm run bench -- streaming`). They print figures and
// ratios measured side by side in one run; none of them asserts a time.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const benches = readdirSync(`${root}test/bench`)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failures = 0;
for (const b of benches) {
  console.log(`\n=== ${b} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `test/bench/${b}`], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failures++;
}
process.exit(failures === 0 ? 0 : 1);
