/**
 * The Claude Code CLI backend: one long-lived `claude -p --input-format stream-json` process per instance.
 * The host injects the binary path, the workspace folder, extra environment and the API key source; the core never
 * reads VS Code settings itself.
 */
import type { Logger } from '../log';
import { current, type Backend, type Live, type SessionInit } from './backend';
import { buildEnv, parseInstanceOptions, type ClaudeCodeInstanceOptions } from './claudeCodeArgs';
import { INSTALL_HINT } from './claudeCodeErrors';
import { ClaudeCodeSession, type ProcessFactory } from './claudeCodeSession';
import { BackendError } from '../errors';
import { cmdShimTarget, envValue, executableProblem, findExecutable } from './which';

export interface ClaudeCodeBackendOptions {
  /** The `claude` binary (the machine-scoped setting); read at each process start so a changed setting applies. */
  binaryPath?: Live<string | undefined>;
  /** Default working directory of every process: the workspace folder. Falls back to the host's cwd. */
  cwd?: Live<string | undefined>;
  /**
   * Added to the child's environment (after the defaults, before the key scrub); read at each process start, and
   * before each turn: an idle process started with other values is restarted (resumed) for the turn.
   */
  env?: Live<Readonly<Record<string, string>>>;
  /** Added after `env` for one instance's processes, read as `env` is (no CLI retries while that instance has a chain). */
  envFor?: (instanceName: string) => Readonly<Record<string, string>>;
  /** The environment the child inherits; the host's by default. */
  baseEnv?: NodeJS.ProcessEnv;
  /** The key for instances whose `billing` option is `apiKey`. It reaches the child by environment only. */
  getApiKey?(): Promise<string | undefined>;
  log?: Logger;
}

export class ClaudeCodeBackend implements Backend {
  readonly kind = 'claudeCode' as const;
  readonly label = 'Claude Code';
  private readonly sessions = new Set<ClaudeCodeSession>();

  constructor(private readonly options: ClaudeCodeBackendOptions = {}) {}

  openSession(init: SessionInit): ClaudeCodeSession {
    const options = parseInstanceOptions(init.options, init.role);
    const session: ClaudeCodeSession = new ClaudeCodeSession(init, options, this.factory(init.currentName ?? (() => init.instanceName), () => this.sessions.delete(session)));
    this.sessions.add(session);
    return session;
  }

  /** The live CLI process of an instance, if it has one. */
  pidOf(instanceName: string): number | undefined {
    return [...this.sessions].find((s) => s.instanceName === instanceName && s.pid !== undefined)?.pid;
  }

  /** Process ids of the live CLI processes this backend started (for diagnostics and leak checks). */
  livePids(): number[] {
    return [...this.sessions].map((s) => s.pid).filter((p): p is number => p !== undefined);
  }

  /**
   * The binary to run, checked so the error says exactly what is wrong; on PATH it is found as detection finds it
   * (./which), and an npm `.cmd` shim is replaced by the `.exe` behind it (see `cmdShimTarget`).
   */
  async resolveBinary(): Promise<string> {
    const configured = current(this.options.binaryPath);
    if (configured) {
      const problem = await executableProblem(configured);
      if (problem === 'it does not exist') throw new BackendError('not_found', `The Claude Code binary was not found at '${configured}'.`, { hint: INSTALL_HINT });
      if (problem === 'it is not a file') throw new BackendError('not_found', `'${configured}' is not a file, so it cannot be the Claude Code binary.`, { hint: INSTALL_HINT });
      if (problem === 'it is not executable') {
        throw new BackendError('not_found', `The Claude Code binary at '${configured}' is not executable.`, { hint: `Make it executable (chmod +x '${configured}'), or point the 'llmFleet.claudeCode.path' setting at another binary.` });
      }
      if (problem) throw new BackendError('not_found', `The Claude Code binary at '${configured}' cannot be used: ${problem}.`, { hint: INSTALL_HINT });
      return cmdShimTarget(configured);
    }
    const env = this.options.baseEnv ?? process.env;
    const found = await findExecutable('claude', { path: envValue(env, 'PATH'), pathExt: envValue(env, 'PATHEXT') });
    if (!found) throw new BackendError('not_found', "Claude Code ('claude') was not found on PATH.", { hint: INSTALL_HINT });
    return cmdShimTarget(found);
  }

  private factory(instanceName: () => string, released: () => void): ProcessFactory {
    return {
      released,
      resolveBinary: () => this.resolveBinary(),
      launchEnv: () => ({ ...current(this.options.env ?? {}), ...this.options.envFor?.(instanceName()) }),
      environment: (o, extra) => this.environment(o, extra),
      cwd: (o) => o.cwd ?? current(this.options.cwd) ?? process.cwd(),
      warn: (message) => this.options.log?.warn(`${instanceName()}: ${message}`),
    };
  }

  private async environment(o: ClaudeCodeInstanceOptions, extra: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    let key: string | undefined;
    if (o.billing === 'apiKey') {
      key = await this.options.getApiKey?.();
      if (!key) {
        throw new BackendError('auth', 'This Claude Code instance is set to bill an API key, but no key is set.', {
          hint: 'Set one with "LLM Fleet: Set API Key…", or set the instance\'s billing option to "subscription".',
        });
      }
    }
    return buildEnv(this.options.baseEnv ?? process.env, extra, key);
  }
}
