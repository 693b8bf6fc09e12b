import { readlinkSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClaudeCodeBackend, type ClaudeCodeBackendOptions } from '../../src/core/backends/claudeCode';
import { descendants, listProcesses } from '../../src/core/backends/processTree';
import { Fleet, type FleetOptions, type SpawnOptions } from '../../src/core/fleet';
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
  /** Options for another backend on the same fake and config dir (e.g. for a second Fleet after a "reload"). */
  backendOptions(extra?: Partial<ClaudeCodeBackendOptions>): ClaudeCodeBackendOptions;
  /** Spawns a Claude Code instance that bills the test key (so the CLI needs no login). */
  spawn(name: string, options?: Partial<SpawnOptions>): void;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly backend?: Partial<ClaudeCodeBackendOptions>;
  readonly fleet?: Partial<FleetOptions>;
  readonly store?: FleetStore;
  /** Extra CLI environment, e.g. retry settings for a fault test. */
  readonly env?: Record<string, string>;
}

/**
 * A Fleet with a ClaudeCodeBackend running the real CLI against the loopback fake, in a fresh CLAUDE_CONFIG_DIR.
 * Retries are cut to one and the API timeout to a few seconds, so fault tests take seconds, not minutes.
 */
export async function cliRig(options: RigOptions = {}): Promise<CliRig> {
  const fake = await startAnthropicFake();
  const root = await mkdtemp(join(tmpdir(), 'llm-fleet-cli-'));
  const configDir = join(root, 'config');
  const workDir = join(root, 'work');
  await mkdir(configDir);
  await mkdir(workDir);
  const backendOptions = (extra: Partial<ClaudeCodeBackendOptions> = {}): ClaudeCodeBackendOptions => ({
    binaryPath: CLAUDE_BIN,
    cwd: workDir,
    // Only what the CLI needs: the developer's own keys and settings must not leak into a test.
    baseEnv: { PATH: process.env.PATH, HOME: root, ANTHROPIC_API_KEY: 'sk-must-be-scrubbed', ANTHROPIC_AUTH_TOKEN: 'must-be-scrubbed' },
    env: {
      ANTHROPIC_BASE_URL: fake.url,
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_MAX_RETRIES: '1',
      API_TIMEOUT_MS: '8000',
      ...options.env,
    },
    getApiKey: async () => TEST_KEY,
    ...options.backend,
    ...extra,
  });
  const backend = new ClaudeCodeBackend(backendOptions());
  const fleet = new Fleet({ backends: [backend], store: options.store, ...options.fleet });
  return {
    fake,
    backend,
    fleet,
    configDir,
    workDir,
    backendOptions,
    spawn: (name, o = {}) => {
      fleet.spawn(name, { backend: 'claudeCode', model: 'haiku', ...o, options: { billing: 'apiKey', ...o.options } });
    },
    close: async () => {
      await fleet.killAll().catch(() => undefined);
      fleet.dispose();
      await fake.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

let realBinary: string | undefined;

/** Live `claude` processes descended from this test process, found by their executable in /proc. */
export function claudeProcesses(): number[] {
  realBinary ??= realpathSync(CLAUDE_BIN);
  return descendants(process.pid, listProcesses())
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') === realBinary;
      } catch {
        return false;
      }
    });
}

/** Descendant processes whose command line contains `needle` (e.g. a tool's `sleep`). */
export function descendantsRunning(needle: string): number[] {
  return descendants(process.pid, listProcesses())
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`).endsWith(needle);
      } catch {
        return false;
      }
    });
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
