/**
 * One long-lived `claude -p --input-format stream-json` child: started with execa (no shell asked for), spoken to in
 * JSON lines on stdin, heard in JSON lines on stdout, with the tail of stderr kept for error messages. On Windows
 * the binary found on PATH may be a `.cmd`, which only cmd.exe can run; an npm shim is swapped for the `.exe`
 * behind it before it gets here (./which `cmdShimTarget`), so only a hand-written script goes through cmd.exe.
 */
import type { ResultPromise } from 'execa';
import { descendants, signalAll } from './processTree';

/** What ended a process: its exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | undefined;
  readonly signal: string | undefined;
}

export interface ProcessListener {
  /** A stdout line that parsed as a JSON object. */
  line(message: Record<string, unknown>): void;
  /** A stdout line that is not a JSON object (a wrapper script's noise, a crash dump). */
  garbage(text: string): void;
  /** One stderr line. */
  stderr(text: string): void;
  /** The process is gone; no more lines will come. */
  exit(exit: ProcessExit): void;
}

export interface StartOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 2000;
/** How long an idle process gets to leave after stdin closes (it takes 15–40 ms) before it is signalled. */
const CLOSE_GRACE_MS = 1500;
/** How long SIGTERM gets before SIGKILL. */
const TERM_GRACE_MS = 3000;

// execa is ESM-only and the core also runs as CommonJS (tests under tsx); a dynamic import loads it in both.
let execaModule: Promise<typeof import('execa')> | undefined;
function loadExeca(): Promise<typeof import('execa')> {
  execaModule ??= import('execa');
  return execaModule;
}

/** A started CLI process. `start` resolves once it is spawned, or rejects with the spawn error (ENOENT, EACCES). */
export class ClaudeCodeProcess {
  private readonly stderrLines: string[] = [];
  private exitInfo: ProcessExit | undefined;
  private readonly exited: Promise<ProcessExit>;
  private resolveExited!: (e: ProcessExit) => void;

  private constructor(
    private readonly child: ResultPromise,
    private readonly listener: ProcessListener,
  ) {
    this.exited = new Promise((r) => (this.resolveExited = r));
  }

  static async start(options: StartOptions, listener: ProcessListener): Promise<ClaudeCodeProcess> {
    const { execa } = await loadExeca();
    const child = execa(options.binary, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // The CLI decides its own lifetime; execa's timeouts and signal forwarding are not wanted here.
      forceKillAfterDelay: false,
    });
    const proc = new ClaudeCodeProcess(child, listener);
    await proc.wire();
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines of stderr, for error messages. */
  stderrTail(): string {
    return this.stderrLines.join('\n').slice(-STDERR_TAIL_CHARS);
  }

  /** Writes one stdin line. The message is serialized here and only here, so a line is always one valid JSON value. */
  write(message: Record<string, unknown>): boolean {
    if (!this.alive || !this.child.stdin || this.child.stdin.destroyed) return false;
    this.child.stdin.write(JSON.stringify(message) + '\n');
    return true;
  }

  whenExited(): Promise<ProcessExit> {
    return this.exited;
  }

  /**
   * Ends the process and whatever it started, and resolves once it has exited. An idle process is asked to leave by
   * closing stdin; a busy or stubborn one gets SIGTERM, then SIGKILL.
   */
  async stop(options: { graceful: boolean }): Promise<ProcessExit> {
    if (!this.alive) return this.exited;
    const pid = this.child.pid;
    // Snapshot now: once the CLI is gone its children are re-parented and can no longer be found from it.
    const family = pid === undefined ? [] : descendants(pid);
    this.child.stdin?.end();
    if (!options.graceful || !(await this.exitsWithin(CLOSE_GRACE_MS))) {
      this.child.kill('SIGTERM');
      signalAll(family, 'SIGTERM');
      if (!(await this.exitsWithin(TERM_GRACE_MS))) this.child.kill('SIGKILL');
    }
    const exit = await this.exited;
    signalAll(family, 'SIGKILL');
    return exit;
  }

  private exitsWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async wire(): Promise<void> {
    const { child, listener } = this;
    // A write to a process that just died raises EPIPE on stdin; the exit handler reports the death instead.
    child.stdin?.on('error', () => {});
    splitLines(child.stdout!, (text) => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return listener.garbage(text);
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) listener.line(value as Record<string, unknown>);
      else listener.garbage(text);
    });
    splitLines(child.stderr!, (text) => {
      this.stderrLines.push(text);
      if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
      listener.stderr(text);
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    void child.then((result) => {
      // Lines still buffered in the pipes are delivered before the exit, so a last `result` is never lost.
      const finish = () => {
        this.exitInfo = { code: result.exitCode, signal: result.signal };
        listener.exit(this.exitInfo);
        this.resolveExited(this.exitInfo);
      };
      if (child.stdout!.readableEnded && child.stderr!.readableEnded) finish();
      else Promise.all([ended(child.stdout!), ended(child.stderr!)]).then(finish, finish);
    });
    await spawned;
  }
}

function ended(stream: NodeJS.ReadableStream & { readableEnded?: boolean }): Promise<void> {
  if (stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', resolve);
  });
}

/** Calls `onLine` for each complete line; a last line without a newline is delivered at the end of the stream. */
function splitLines(stream: NodeJS.ReadableStream, onLine: (text: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, i).replace(/\r$/, '');
      buffer = buffer.slice(i + 1);
      onLine(text);
    }
  });
  stream.on('end', () => {
    if (buffer.length > 0) onLine(buffer);
    buffer = '';
  });
}
