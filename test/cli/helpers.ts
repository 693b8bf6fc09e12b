import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClaudeCodeBackend, type ClaudeCodeBackendOptions } from '../../src/core/backends/claudeCode';
import type { Backend } from '../../src/core/backends/backend';
import { descendants, listProcesses, readProc } from '../../src/core/backends/processTree';
import { Fleet } from '../../src/core/fleet';
import { type FleetOptions, type SpawnOptions } from '../../src/core/fleetTypes';
import type { FleetStore } from '../../src/core/store';
import { startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';

/** The exact-pinned real CLI (devDependency @anthropic-ai/claude-code 2.1.330). */
export const CLAUDE_BIN = resolve(__dirname, '../../node_modules/@anthropic-ai/claude-code/bin/claude.exe');
export const TEST_KEY = 'sk-ant-cli-test-key';

export interface CliRig {
  readonly fake: AnthropicFake;
  readonly backend: ClaudeCodeBackend;
  readonly fleet: Fleet;
  /** The temporary CLAUDE_CONFIG_DIR (sessions live under it). */
  readonly configDir: string;
  /** The processes' working directory. */
  readonly workDir: string;
  /** The value of MARK_VARIABLE in every process this rig's backends start, and so in everything those start. */
  readonly mark: string;
  /** Options for another backend on the same fake and config dir (e.g. for a second Fleet after a "reload"). */
  backendOptions(extra?: Partial<ClaudeCodeBackendOptions>): ClaudeCodeBackendOptions;
  /** Spawns a Claude Code instance that bills the test key (so the CLI needs no login). */
  spawn(name: string, options?: Partial<SpawnOptions>): void;
  /** Kills all, then fails (after killing them) if any process carrying this rig's mark is still alive. */
  close(): Promise<void>;
}

export interface RigOptions {
  readonly backend?: Partial<ClaudeCodeBackendOptions>;
  readonly fleet?: Partial<FleetOptions>;
  readonly store?: FleetStore;
  /** Extra CLI environment, e.g. retry settings for a fault test; a function is read at each process start and turn. */
  readonly env?: Record<string, string> | (() => Record<string, string>);
  /** Backends beside Claude Code, pointed at the same fake (a turn may move between them). */
  readonly extraBackends?: (fake: AnthropicFake) => Backend[];
}

/**
 * A Fleet with a ClaudeCodeBackend running the real CLI against the loopback fake, in a fresh CLAUDE_CONFIG_DIR.
 * Retries are cut to one and the API timeout to a few seconds, so fault tests take seconds, not minutes.
 */
export async function cliRig(options: RigOptions = {}): Promise<CliRig> {
  // The fake takes only the test key, so a scrubbed developer key or a key lost on the way fails the turn.
  const fake = await startAnthropicFake({ apiKey: TEST_KEY });
  const root = await mkdtemp(join(tmpdir(), 'llm-fleet-cli-'));
  const configDir = join(root, 'config');
  const workDir = join(root, 'work');
  await mkdir(configDir);
  await mkdir(workDir);
  const mark = `${FILE_MARK}-${++rigCount}`;
  const cliEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    ANTHROPIC_BASE_URL: fake.url,
    CLAUDE_CONFIG_DIR: configDir,
    CLAUDE_CODE_MAX_RETRIES: '1',
    API_TIMEOUT_MS: '8000',
    ...extra,
    // Last, so a test's own env cannot drop it: this is how leftovers are found (see markedProcesses).
    [MARK_VARIABLE]: mark,
  });
  const backendOptions = (extra: Partial<ClaudeCodeBackendOptions> = {}): ClaudeCodeBackendOptions => ({
    binaryPath: CLAUDE_BIN,
    cwd: workDir,
    // Only what the CLI needs: the developer's own keys and settings must not leak into a test.
    baseEnv: { PATH: process.env.PATH, HOME: root, ANTHROPIC_API_KEY: 'sk-must-be-scrubbed', ANTHROPIC_AUTH_TOKEN: 'must-be-scrubbed' },
    env: typeof options.env === 'function' ? () => cliEnv((options.env as () => Record<string, string>)()) : cliEnv(options.env),
    getApiKey: async () => TEST_KEY,
    ...options.backend,
    ...extra,
  });
  const backend = new ClaudeCodeBackend(backendOptions());
  const fleet = new Fleet({ backends: [backend, ...(options.extraBackends?.(fake) ?? [])], store: options.store, ...options.fleet });
  return {
    fake,
    backend,
    fleet,
    configDir,
    workDir,
    mark,
    backendOptions,
    spawn: (name, o = {}) => {
      fleet.spawn(name, { backend: 'claudeCode', model: 'haiku', ...o, options: { billing: 'apiKey', ...o.options } });
    },
    close: async () => {
      try {
        await fleet.killAll().catch(() => undefined);
        fleet.dispose();
        await assertNoneLeft('closing the rig', { mark });
      } finally {
        await fake.close();
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Leftover processes are found by a mark in their environment, on the whole machine, not by ancestry: a tool command
 * the CLI started (the Bash tool's `tail -f`) is re-parented to init (or a subreaper) once the CLI dies, so a search
 * among this test's descendants cannot see exactly the leak it is meant to catch. Environment variables are inherited
 * by everything the CLI starts. The mark is random per test file (node --test runs each file in its own process) and
 * numbered per rig, so parallel runs in the same checkout, and two rigs in one file, never see each other's processes.
 * Like `markedPids` in scripts/codeServer.mjs for the e2e layer.
 */
export const MARK_VARIABLE = 'LLM_FLEET_TEST_MARK';
const FILE_MARK = randomBytes(6).toString('hex');
let rigCount = 0;

export interface MarkedProcess {
  readonly pid: number;
  readonly ppid: number;
  /** The executable, '' if unreadable. */
  readonly exe: string;
  /** The command line, arguments joined by spaces. */
  readonly command: string;
}

/** Live processes carrying `mark` (by default any rig's mark of this test file). A zombie's environ reads empty. */
export function markedProcesses(mark?: string): MarkedProcess[] {
  const matches = (value: string) => (mark === undefined ? value.startsWith(`${FILE_MARK}-`) : value === mark);
  const out: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    try {
      const value = readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .find((v) => v.startsWith(`${MARK_VARIABLE}=`))
        ?.slice(MARK_VARIABLE.length + 1);
      if (value === undefined || !matches(value)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      let exe = '';
      try {
        exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
      } catch {}
      out.push({ pid, ppid: readProc(pid)?.ppid ?? 0, exe, command });
    } catch {
      // Gone meanwhile, or another user's process.
    }
  }
  return out;
}

let realBinary: string | undefined;

/** Live `claude` processes of this test file's rigs (or of one rig's `mark`), wherever they sit in the process tree. */
export function claudeProcesses(mark?: string): number[] {
  realBinary ??= realpathSync(CLAUDE_BIN);
  return markedProcesses(mark).filter((p) => p.exe === realBinary).map((p) => p.pid);
}

/** Marked processes whose executable's name is `name` (e.g. a tool's `tail`). */
export function markedRunning(name: string, mark?: string): number[] {
  return markedProcesses(mark).filter((p) => p.exe.endsWith(`/${name}`)).map((p) => p.pid);
}

/**
 * Fails if a marked process is alive that is neither one of `keep` (live instances' CLIs) nor below one. It waits up
 * to `graceMs` for a just-signalled process to vanish; whatever is still there is SIGKILLed before the failure, so a
 * leak fails one test and does not poison the ones after it.
 */
export async function assertNoneLeft(what: string, o: { mark?: string; keep?: readonly number[]; graceMs?: number } = {}): Promise<void> {
  const leftovers = () => {
    const all = listProcesses();
    const kept = new Set((o.keep ?? []).flatMap((pid) => [pid, ...descendants(pid, all).map((p) => p.pid)]));
    return markedProcesses(o.mark).filter((p) => !kept.has(p.pid));
  };
  const start = Date.now();
  let left = leftovers();
  while (left.length > 0 && Date.now() - start < (o.graceMs ?? 1000)) {
    await new Promise((r) => setTimeout(r, 20));
    left = leftovers();
  }
  if (left.length === 0) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
  const list = left.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.command}`).join('\n');
  throw new Error(`${left.length} process(es) left running after ${what} (now SIGKILLed):\n${list}`);
}

/** Resolves once `predicate` holds; fails with `what` after the bound. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The text of every message in a recorded request, flattened, roles included. */
export function transcriptOf(body: any): string[] {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.flatMap((m) =>
    typeof m.content === 'string' ? [`${m.role}: ${m.content}`] : (m.content as any[]).filter((c) => c.type === 'text').map((c) => `${m.role}: ${c.text}`),
  );
}
