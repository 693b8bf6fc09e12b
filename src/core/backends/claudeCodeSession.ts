/**
 * One Claude Code instance: a long-lived CLI process that runs one turn at a time, resumes its session after a
 * restart or a crash, forks by `--resume <id> --fork-session`, and cancels with the stream-json `interrupt`.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '../transcript';
import type { BackendSession, ForkRequest, SessionInit, SessionState, TurnInput, TurnOutput, TurnSink } from './backend';
import { buildArgs, type ClaudeCodeInstanceOptions, type SessionStart } from './claudeCodeArgs';
import { processDied, spawnFailed } from './claudeCodeErrors';
import { userLine } from './claudeCodePrompt';
import { ClaudeCodeProcess, type ProcessExit } from './claudeCodeProcess';
import { TurnReader, type TurnOutcome } from './claudeCodeTurn';
import { BackendError, FleetError } from '../errors';

/** What a session needs from its backend: where the binary is, and the environment and cwd for a new process. */
export interface ProcessFactory {
  resolveBinary(): Promise<string>;
  /** The host's extra environment as it is now (e.g. CLAUDE_CODE_MAX_RETRIES while a fallback chain is set). */
  launchEnv(): Readonly<Record<string, string>>;
  /** The whole environment of a new process, built around `extra` (what `launchEnv` gave for it). */
  environment(o: ClaudeCodeInstanceOptions, extra: Readonly<Record<string, string>>): Promise<Record<string, string>>;
  cwd(o: ClaudeCodeInstanceOptions): string;
  warn(message: string): void;
  /** The session was disposed and its process has exited. */
  released(): void;
}

/** The persisted part of a session. `forkFrom` is set until a fork's first process has started. */
interface ClaudeState {
  sessionId: string;
  /** The CLI has a session file for `sessionId`, so the next process uses `--resume`. */
  resumable: boolean;
  /** The session's running cost as the CLI reports it; each turn's cost is the difference. */
  costUsd: number;
  /** The last assistant message uuid: where a fork of "the latest" cuts, so later turns never leak into it. */
  lastMessageUuid: string | null;
  forkFrom: string | null;
  forkAt: string | null;
}

interface ActiveTurn {
  readonly reader: TurnReader;
  readonly settle: (outcome: TurnOutcome) => void;
}

/** How long an interrupted turn may take to print its `result` before the process is ended instead. */
const INTERRUPT_TIMEOUT_MS = 5000;
const UNRECOGNIZED_MODEL = '[claude-code:unrecognized_model]';

export class ClaudeCodeSession implements BackendSession {
  /** The CLI process holds the conversation: a turn writes only the new message (a fresh one is seeded). */
  readonly stateful = true;
  private s: ClaudeState;
  private proc: ClaudeCodeProcess | undefined;
  private turn: ActiveTurn | undefined;
  private pendingWarnings: string[] = [];
  private disposed = false;
  private stopping: Promise<unknown> | undefined;
  /** The launch fingerprint (see `launch`) the running process was started with. */
  private procLaunch: string | undefined;

  constructor(
    private readonly init: SessionInit,
    private readonly options: ClaudeCodeInstanceOptions,
    private readonly factory: ProcessFactory,
  ) {
    const st = init.state ?? {};
    this.s = {
      sessionId: typeof st.sessionId === 'string' ? st.sessionId : randomUUID(),
      resumable: st.resumable === true,
      costUsd: typeof st.costUsd === 'number' ? st.costUsd : 0,
      lastMessageUuid: typeof st.lastMessageUuid === 'string' ? st.lastMessageUuid : null,
      forkFrom: typeof st.forkFrom === 'string' ? st.forkFrom : null,
      forkAt: typeof st.forkAt === 'string' ? st.forkAt : null,
    };
  }

  get state(): SessionState {
    return { ...this.s };
  }

  get instanceName(): string {
    return this.init.instanceName;
  }

  /** The live process id, if one is running. */
  get pid(): number | undefined {
    return this.proc?.alive ? this.proc.pid : undefined;
  }

  async runTurn(input: TurnInput, sink: TurnSink): Promise<TurnOutput> {
    if (this.disposed) throw new BackendError('cancelled', 'The instance was stopped.');
    if (this.turn) throw new BackendError('bad_request', 'A turn is already running on this Claude Code instance.');
    this.userLine(input.history); // a bad prompt fails here, before any process is touched
    // A second try only when nothing of the turn reached the CLI: a session id already in use at start-up, or a
    // process that was already on its way out (it exits just after some error results) when the prompt was written.
    for (let attempt = 0; ; attempt++) {
      if (input.signal.aborted) throw new BackendError('cancelled', 'Cancelled.');
      await this.relaunchIfChanged();
      const start = this.startMode();
      const reused = this.proc?.alive === true;
      const proc = await this.process(start);
      const reader = new TurnReader(sink, this.s.costUsd);
      const outcome = await this.exchange(proc, this.userLine(input.history), input.signal, reader);
      if (outcome.ok) return outcome.output;
      if (attempt === 0 && !reader.heardAnything && !input.signal.aborted) {
        if (start.kind === 'new' && /already in use/i.test(proc.stderrTail())) {
          this.s.resumable = true;
          continue;
        }
        if (reused && !proc.alive && outcome.error.kind !== 'not_found') continue;
      }
      throw outcome.error;
    }
  }

  async fork(request: ForkRequest): Promise<SessionState | undefined> {
    const at = request.isLatest ? this.s.lastMessageUuid : request.backendMessageId;
    if (!request.isLatest && !request.backendMessageId) {
      throw new FleetError(
        'unsupported',
        'Claude Code can fork only at one of its own answers (or at the latest message); the chosen message has no Claude Code message id. Fork at an answer instead.',
      );
    }
    const child: ClaudeState = { ...this.s, sessionId: randomUUID(), resumable: false, lastMessageUuid: at ?? null };
    if (this.s.forkFrom) return { ...child, forkAt: request.isLatest ? this.s.forkAt : at ?? null };
    // A session the CLI never saw has nothing to inherit; the child is seeded from its copied transcript instead.
    if (!this.s.resumable) return { ...child, forkFrom: null, forkAt: null };
    return { ...child, forkFrom: this.s.sessionId, forkAt: at ?? null };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    try {
      await this.stopProcess(!this.turn);
    } finally {
      this.factory.released();
    }
  }

  /** The backstop as the instance's cap is now (the option given at spawn wins, as at spawn). */
  private backstop(): number | undefined {
    return this.init.spendCapUsd ? this.init.spendCapUsd() : this.options.maxBudgetUsd;
  }

  /**
   * What a process takes only at start and may change while the instance lives: the `--max-budget-usd` backstop
   * (Set Budget…) and the host's extra environment (CLAUDE_CODE_MAX_RETRIES=0 while a fallback chain is set).
   * The fingerprint is compared before each turn (the API key is not: a new one applies at the next start, as ever).
   */
  private launch(): { readonly backstop: number | undefined; readonly env: Readonly<Record<string, string>>; readonly fingerprint: string } {
    const backstop = this.backstop();
    const env = this.factory.launchEnv();
    return { backstop, env, fingerprint: JSON.stringify([backstop ?? null, Object.keys(env).sort().map((k) => [k, env[k]])]) };
  }

  /**
   * The CLI reads flags and environment only at start, and stream-json cannot change them: when the launch differs
   * from the running process's, the idle process is ended and the turn starts a new one, resumed. Only between turns
   * (runTurn refuses a second turn), so a busy process is never interrupted.
   */
  private async relaunchIfChanged(): Promise<void> {
    if (!this.proc?.alive || this.procLaunch === this.launch().fingerprint) return;
    await this.stopProcess(true);
  }

  private startMode(): SessionStart {
    const { sessionId, forkFrom, forkAt, resumable } = this.s;
    if (forkFrom) return { kind: 'fork', fromSessionId: forkFrom, sessionId, ...(forkAt ? { atMessage: forkAt } : {}) };
    return resumable ? { kind: 'resume', sessionId } : { kind: 'new', sessionId };
  }

  /** The stdin line for this turn; a session the CLI has no file for yet is seeded with the earlier messages. */
  private userLine(history: readonly Message[]): Record<string, unknown> {
    return userLine(history, !this.s.resumable && !this.s.forkFrom);
  }

  private async process(start: SessionStart): Promise<ClaudeCodeProcess> {
    await this.stopping;
    if (this.proc?.alive) return this.proc;
    if (this.disposed) throw new BackendError('cancelled', 'The instance was stopped.');
    const binary = await this.factory.resolveBinary();
    const launch = this.launch();
    const env = await this.factory.environment(this.options, launch.env);
    const args = buildArgs(this.init, { ...this.options, maxBudgetUsd: launch.backstop }, start);
    this.procLaunch = launch.fingerprint;
    try {
      this.proc = await ClaudeCodeProcess.start(
        { binary, args, env, cwd: this.factory.cwd(this.options) },
        {
          line: (m) => this.onLine(m),
          garbage: (text) => this.onGarbage(text),
          stderr: (text) => this.onStderr(text),
          exit: (exit) => this.onExit(exit),
        },
      );
    } catch (e) {
      throw spawnFailed(binary, e);
    }
    if (this.disposed) {
      await this.stopProcess(true);
      throw new BackendError('cancelled', 'The instance was stopped.');
    }
    return this.proc;
  }

  private exchange(proc: ClaudeCodeProcess, line: Record<string, unknown>, signal: AbortSignal, reader: TurnReader): Promise<TurnOutcome> {
    for (const w of this.pendingWarnings.splice(0)) reader.warn(w);
    if (signal.aborted) return Promise.resolve({ ok: false, error: new BackendError('cancelled', 'Cancelled.') });
    return new Promise<TurnOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        reader.interrupted = true;
        proc.write({ type: 'control_request', request_id: `interrupt-${randomUUID()}`, request: { subtype: 'interrupt' } });
        // An interrupt the CLI cannot honour must not hang the instance: end the process; the next ask resumes.
        timer = setTimeout(() => void this.stopProcess(false), INTERRUPT_TIMEOUT_MS);
      };
      this.turn = {
        reader,
        settle: (outcome) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.turn = undefined;
          resolve(outcome);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // A write to a dead process fails quietly; its exit settles the turn with the stderr tail.
      proc.write(line);
    });
  }

  private onLine(m: Record<string, any>): void {
    const turn = this.turn;
    if (!turn) return;
    const outcome = turn.reader.line(m);
    if (!outcome) return;
    const r = turn.reader;
    this.s.costUsd = r.totalCostUsd ?? this.s.costUsd;
    if (r.sessionId) {
      // The CLI started the turn, so it has a file for this session: restarts resume it, and a pending fork happened.
      this.s = { ...this.s, sessionId: r.sessionId, resumable: true, forkFrom: null, forkAt: null };
    }
    if (r.lastAssistantUuid) this.s.lastMessageUuid = r.lastAssistantUuid;
    if (!outcome.ok && outcome.error.kind === 'not_found' && /could not resume/.test(outcome.error.message)) {
      this.forgetSession();
      // That process is bound to the lost session id (and exits by itself); the next ask needs a new one.
      void this.stopProcess(false);
    }
    turn.settle(outcome);
  }

  private onGarbage(text: string): void {
    if (this.turn) this.turn.reader.garbage(text);
    else this.factory.warn(`Claude Code printed a line that is not JSON between turns: ${JSON.stringify(text.slice(0, 200))}`);
  }

  private onStderr(text: string): void {
    if (!text.startsWith(UNRECOGNIZED_MODEL)) return;
    let model = this.init.model;
    try {
      model = JSON.parse(text.slice(UNRECOGNIZED_MODEL.length)).model ?? model;
    } catch {
      // The model name we asked for is good enough for the message.
    }
    const warning = `Claude Code does not recognize the model '${model}'; it was passed to the API unchanged.`;
    if (this.turn) this.turn.reader.warn(warning);
    else this.pendingWarnings.push(warning);
  }

  private onExit(exit: ProcessExit): void {
    const proc = this.proc;
    this.proc = undefined;
    const turn = this.turn;
    if (!turn) {
      if (!this.disposed && !this.stopping) this.factory.warn(`The Claude Code process of '${this.init.instanceName}' exited while idle (code ${exit.code ?? exit.signal}); the next ask resumes it.`);
      return;
    }
    if (turn.reader.interrupted || this.disposed) return turn.settle({ ok: false, error: new BackendError('cancelled', 'Cancelled.') });
    const error = processDied(exit.code, exit.signal, proc?.stderrTail() ?? '');
    if (error.kind === 'not_found') this.forgetSession();
    turn.settle({ ok: false, error });
  }

  /** The CLI lost this session (deleted file, another machine): start a new one, seeded from the transcript. */
  private forgetSession(): void {
    this.s = { ...this.s, sessionId: randomUUID(), resumable: false, forkFrom: null, forkAt: null, lastMessageUuid: null, costUsd: 0 };
  }

  private async stopProcess(graceful: boolean): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const stopping = proc.stop({ graceful });
    this.stopping = stopping;
    try {
      await stopping;
    } finally {
      if (this.stopping === stopping) this.stopping = undefined;
    }
  }
}
