/**
 * Follow-up ask latency on one Claude Code conversation, with the real pinned CLI against the instant loopback fake:
 * a long-lived stream-json process per instance (what the Fleet does) against a fresh `claude -p --resume <id>` per
 * ask (the naive design), 10 asks each, alternating. Goal: at least 8x sooner. Also prints the idle process's memory.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLAUDE_BIN, cliRig, TEST_KEY } from '../cli/helpers';
import { fmt, median } from './stats';

const ASKS = 10;

/** One `claude -p` call, stdin closed (an open idle pipe costs the CLI 3 s), resolving to its JSON result. */
function oneShot(args: string[], env: Record<string, string>, cwd: string): Promise<{ result: string; is_error: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE_BIN, ['-p', '--output-format', 'json', '--model', 'haiku', ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const r = JSON.parse(out);
        if (code !== 0 || r.is_error) reject(new Error(`claude -p failed (${code}): ${r.result ?? err}`));
        else resolve(r);
      } catch {
        reject(new Error(`claude -p printed no JSON (exit ${code}): ${err || out}`));
      }
    });
  });
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

async function main(): Promise<void> {
  const rig = await cliRig();
  try {
    const options = rig.backendOptions();
    const env: Record<string, string> = {
      ...(options.baseEnv as Record<string, string>),
      ...options.env,
      ANTHROPIC_API_KEY: TEST_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    delete env.ANTHROPIC_AUTH_TOKEN;

    // Both conversations exist before timing starts: the first ask of each is not a follow-up.
    rig.spawn('persistent');
    await rig.fleet.ask('persistent', 'Start.');
    const session = randomUUID();
    await oneShot(['--session-id', session, 'Start.'], env, rig.workDir);

    const persistentMs: number[] = [];
    const freshMs: number[] = [];
    const persistent = async () => {
      const t = performance.now();
      await rig.fleet.ask('persistent', `Follow-up ${persistentMs.length + 1}`);
      persistentMs.push(performance.now() - t);
    };
    const fresh = async () => {
      const t = performance.now();
      await oneShot(['--resume', session, `Follow-up ${freshMs.length + 1}`], env, rig.workDir);
      freshMs.push(performance.now() - t);
    };
    for (let i = 0; i < ASKS; i++) {
      if (i % 2 === 0) await persistent(), await fresh();
      else await fresh(), await persistent();
    }
    await new Promise((r) => setTimeout(r, 1000)); // let the process settle after its last turn
    const pid = rig.backend.pidOf('persistent');

    const p = median(persistentMs);
    const f = median(freshMs);
    const version = JSON.parse(readFileSync(join(CLAUDE_BIN, '../../package.json'), 'utf8')).version;
    console.log(`Claude Code follow-up asks: ${ASKS} each, alternating, real CLI ${version} against the instant fake (median)`);
    console.log(`  long-lived stream-json process: ${fmt(p, 0)} ms   (min ${fmt(Math.min(...persistentMs), 0)}, max ${fmt(Math.max(...persistentMs), 0)})`);
    console.log(`  fresh claude -p --resume      : ${fmt(f, 0)} ms   (min ${fmt(Math.min(...freshMs), 0)}, max ${fmt(Math.max(...freshMs), 0)})`);
    console.log(`  ratio: ${fmt(f / p, 1)}x sooner with the long-lived process (goal >= 8x)`);
    if (pid) console.log(`  idle long-lived process: ${fmt(rssMb(pid), 0)} MB resident (pid ${pid})`);
  } finally {
    await rig.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
