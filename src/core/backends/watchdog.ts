import { BackendError } from '../errors';

/** How long a stream may go without an event unless a backend is told otherwise. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

export interface IdleWatchdogOptions {
  /** A stream that goes this long without an event is given up as timed out. */
  readonly ms: number;
  /** The caller's cancel; the watchdog's own abort is joined to it in `signal`. */
  readonly signal: AbortSignal;
  /** Names the stream in the error, e.g. "The Anthropic API stream". */
  readonly what: string;
  /** What the user can do about it, shown with the error. */
  readonly hint: string;
  /**
   * Whether the wait for the first event is watched too. Local servers (Ollama, llama.cpp) read the whole prompt
   * before the first token, which takes minutes on a CPU for a long conversation; for them only a stream that
   * started and then stopped is a hang, and the wait before it stays with the request timeout and the user's Stop.
   */
  readonly watchFirstEvent: boolean;
}

/**
 * Aborts a request whose stream goes quiet: the SDKs' own timeouts stop at the response headers, so a server that
 * stalls mid-answer would otherwise hold the instance busy forever. `touch()` runs per event, so it only counts
 * (reading the clock per event costs measurable throughput); a timer looks a few times per period and aborts once
 * it has seen no event for a whole period.
 *
 * Use: pass `signal` to the request, `touch()` per event, and on any failure (or a loop the abort ended quietly)
 * check `expired` first, since the SDK reports the abort as a cancel. Always `dispose()`.
 */
export class IdleWatchdog {
  private static readonly CHECKS_PER_PERIOD = 4;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private events = 0;
  private seen = 0;
  private quietChecks = 0;
  expired = false;
  readonly signal: AbortSignal;

  constructor(private readonly options: IdleWatchdogOptions) {
    this.signal = AbortSignal.any([options.signal, this.controller.signal]);
    this.timer = setInterval(() => this.check(), Math.max(1, Math.floor(options.ms / IdleWatchdog.CHECKS_PER_PERIOD)));
  }

  touch(): void {
    this.events++;
  }

  private check(): void {
    if (this.events !== this.seen) {
      this.seen = this.events;
      this.quietChecks = 0;
    } else if (this.events === 0 && !this.options.watchFirstEvent) {
      // Not started yet: see `watchFirstEvent`.
    } else if (++this.quietChecks >= IdleWatchdog.CHECKS_PER_PERIOD) {
      this.expired = true;
      clearInterval(this.timer);
      this.controller.abort();
    }
  }

  error(): BackendError {
    return new BackendError('timeout', `${this.options.what} went quiet for ${duration(this.options.ms)}.`, { hint: this.options.hint });
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

/** "120 s", or "300 ms" for a sub-second period (tests use them), where "0 s" would read as a bug. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
