// Shared by the runner's own tests: a throwaway project root that borrows this checkout's scripts and packages, so
// `scripts/test.mjs` can be run against layers that are missing, skipped or broken on purpose.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const root = join(__dirname, '../..');

/** A project root holding a copy of scripts/, this checkout's node_modules, and the given files. */
export function scratchProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-fleet-harness-'));
  cpSync(join(root, 'scripts'), join(dir, 'scripts'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export function runNode(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: opts.cwd ?? root,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 ** 2,
  });
}

export const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';
