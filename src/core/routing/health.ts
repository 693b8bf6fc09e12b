/**
 * Each backend's health, as the fallback stage learns it and the router and the health view read it. A backend is
 * `healthy`; `cooling` while a provider's Retry-After runs (longer than the chain would wait); `open` when its
 * circuit breaker tripped after repeated failures (or an auth failure isolated it), until `until`; `half-open` once
 * that time is up, when the next call is a probe: a success closes the circuit, a failure opens it again.
 *
 * The breaker is cockatiel's (`ConsecutiveBreaker`, LiteLLM's defaults: 3 failures, a short cooldown); this file
 * adds what cockatiel does not keep: when the circuit opened, the Retry-After cooldown, the recent errors, and the
 * next step for the user.
 */
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, IsolatedCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import { BackendError, type ErrorKind } from '../errors';
import { Emitter, type Event } from '../lifecycle';
import { BACKEND_LABELS, type BackendKind } from '../kinds';

export type HealthStateName = 'healthy' | 'cooling' | 'open' | 'half-open';

/** One failure the registry saw, newest last. */
export interface HealthError {
  readonly at: number;
  readonly kind: ErrorKind | 'unknown';
  readonly message: string;
  readonly model?: string;
  readonly hint?: string;
}

export interface BackendHealth {
  readonly backend: BackendKind;
  readonly state: HealthStateName;
  /** When `cooling` or `open` ends (ms since the epoch); absent otherwise. */
  readonly until?: number;
  /** Failures in a row since the last success. */
  readonly consecutiveFailures: number;
  /** The last few failures, newest last. */
  readonly recent: readonly HealthError[];
  /** What the user can do about it, when there is something: "Set the Anthropic key", "Start Ollama". */
  readonly nextStep?: string;
}

export interface HealthOptions {
  /** Failures in a row that open a backend's circuit (LiteLLM's `allowed_fails`: 3). */
  readonly failureThreshold?: number;
  /** How long an open circuit stays open before a probe is let through (LiteLLM's `cooldown_time`: 5 s). */
  readonly cooldownMs?: number;
  /** How long an auth failure keeps a backend out (a key fixed sooner is picked up by `reset`). */
  readonly authCooldownMs?: number;
  /** How many recent errors each backend keeps. */
  readonly recentLimit?: number;
}

export const DEFAULT_HEALTH: Required<HealthOptions> = { failureThreshold: 3, cooldownMs: 5_000, authCooldownMs: 300_000, recentLimit: 5 };

/** Kinds that say something about the backend itself; a bad request or a cancel does not. */
export function countsAgainstHealth(kind: ErrorKind | 'unknown'): boolean {
  return kind === 'rate_limited' || kind === 'overloaded' || kind === 'server' || kind === 'network' || kind === 'timeout' || kind === 'auth';
}

interface Entry {
  readonly breaker: CircuitBreakerPolicy;
  openedAt?: number;
  coolingUntil?: number;
  isolation?: { dispose(): void; until: number };
  consecutive: number;
  readonly recent: HealthError[];
}

/** True for cockatiel's refusals of an open (or isolated, or busy half-open) circuit. */
export function isCircuitRefusal(e: unknown): boolean {
  return e instanceof BrokenCircuitError || e instanceof IsolatedCircuitError;
}

export class HealthRegistry {
  private readonly entries = new Map<BackendKind, Entry>();
  private options: Required<HealthOptions>;
  private readonly _onDidChange = new Emitter<BackendKind>();
  /** A backend's health changed (a failure, a cooldown, a recovery). */
  readonly onDidChange: Event<BackendKind> = this._onDidChange.event;

  constructor(
    options: HealthOptions = {},
    /** cockatiel's breaker reads Date.now itself, so the registry's clock must be the same one. */
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_HEALTH, ...options };
  }

  /**
   * New options. A changed threshold or cooldown starts every backend afresh (cockatiel's breakers cannot be changed
   * in place), and says so to the views; otherwise the state is kept.
   */
  configure(options: HealthOptions): void {
    const next = { ...DEFAULT_HEALTH, ...options };
    const breakerChanged = next.failureThreshold !== this.options.failureThreshold || next.cooldownMs !== this.options.cooldownMs;
    this.options = next;
    if (breakerChanged) this.reset();
  }

  get settings(): Readonly<Required<HealthOptions>> {
    return this.options;
  }

  /** A backend's state now; a backend never seen is healthy. */
  state(backend: BackendKind): BackendHealth {
    const e = this.entries.get(backend);
    if (!e) return { backend, state: 'healthy', consecutiveFailures: 0, recent: [] };
    const now = this.now();
    this.expire(e, now);
    const base = { backend, consecutiveFailures: e.consecutive, recent: [...e.recent], ...nextStepOf(backend, e.recent.at(-1)) };
    if (e.isolation) return { ...base, state: 'open', until: e.isolation.until };
    const s = e.breaker.state;
    if (s === CircuitState.Open) {
      const until = (e.openedAt ?? now) + this.options.cooldownMs;
      return now >= until ? { ...base, state: 'half-open' } : { ...base, state: 'open', until };
    }
    if (s === CircuitState.HalfOpen) return { ...base, state: 'half-open' };
    if (e.coolingUntil !== undefined) return { ...base, state: 'cooling', until: e.coolingUntil };
    return { ...base, state: 'healthy' };
  }

  /** Every backend the registry has heard of, plus the ones asked for. */
  all(backends: readonly BackendKind[] = []): BackendHealth[] {
    const keys = new Set<BackendKind>([...backends, ...this.entries.keys()]);
    return [...keys].map((b) => this.state(b));
  }

  /** Whether a call may go to the backend now: healthy, or half-open (a probe). */
  isAvailable(backend: BackendKind): boolean {
    const s = this.state(backend).state;
    return s === 'healthy' || s === 'half-open';
  }

  /**
   * Runs one call to the backend through its circuit breaker: refused with cockatiel's BrokenCircuitError while
   * open, let through as the probe when half-open. Only failures that say something about the backend count.
   */
  execute<T>(backend: BackendKind, fn: () => Promise<T>, model?: string): Promise<T> {
    const e = this.entry(backend);
    this.expire(e, this.now());
    return e.breaker.execute(fn).then(
      (v) => {
        this.succeeded(backend);
        return v;
      },
      (err: unknown) => {
        if (!isCircuitRefusal(err)) this.failed(backend, err, model);
        throw err;
      },
    );
  }

  /**
   * Runs a call outside any chain: its failures are recorded (the health view shows them) but never refuse a call,
   * since with nowhere else to go the user's ask should reach the backend it names.
   */
  observe<T>(backend: BackendKind, fn: () => Promise<T>, model?: string): Promise<T> {
    return fn().then(
      (v) => {
        this.succeeded(backend);
        return v;
      },
      (err: unknown) => {
        this.failed(backend, err, model, false);
        throw err;
      },
    );
  }

  /** The provider asked for a pause longer than the chain waits: keep away from it until then. */
  coolFor(backend: BackendKind, ms: number): void {
    const e = this.entry(backend);
    e.coolingUntil = Math.max(e.coolingUntil ?? 0, this.now() + ms);
    this._onDidChange.fire(backend);
  }

  /** Forgets a backend's failures (a key was set, the user asked to try again). */
  reset(backend?: BackendKind): void {
    const which = backend ? [backend] : [...this.entries.keys()];
    for (const b of which) {
      this.entries.get(b)?.isolation?.dispose();
      this.entries.delete(b);
      this._onDidChange.fire(b);
    }
  }

  dispose(): void {
    for (const e of this.entries.values()) e.isolation?.dispose();
    this.entries.clear();
    this._onDidChange.dispose();
  }

  private succeeded(backend: BackendKind): void {
    const e = this.entry(backend);
    const changed = e.consecutive > 0 || e.coolingUntil !== undefined;
    e.consecutive = 0;
    e.coolingUntil = undefined;
    if (changed) this._onDidChange.fire(backend);
  }

  private failed(backend: BackendKind, err: unknown, model: string | undefined, isolateOnAuth = true): void {
    const kind = err instanceof BackendError ? err.kind : 'unknown';
    if (!countsAgainstHealth(kind)) return;
    const e = this.entry(backend);
    e.consecutive++;
    e.recent.push({ at: this.now(), kind, message: err instanceof Error ? err.message : String(err), ...(model ? { model } : {}), ...(err instanceof BackendError && err.hint ? { hint: err.hint } : {}) });
    if (e.recent.length > this.options.recentLimit) e.recent.splice(0, e.recent.length - this.options.recentLimit);
    // A refused key will not get better by itself: keep the backend out until the key changes or a long while passes.
    if (kind === 'auth' && isolateOnAuth && !e.isolation) {
      const handle = e.breaker.isolate();
      e.isolation = { dispose: () => handle.dispose(), until: this.now() + this.options.authCooldownMs };
    }
    this._onDidChange.fire(backend);
  }

  private expire(e: Entry, now: number): void {
    if (e.coolingUntil !== undefined && now >= e.coolingUntil) e.coolingUntil = undefined;
    if (e.isolation && now >= e.isolation.until) {
      e.isolation.dispose();
      e.isolation = undefined;
    }
  }

  private entry(backend: BackendKind): Entry {
    let e = this.entries.get(backend);
    if (!e) {
      const breaker = circuitBreaker(
        handleWhen((err) => err instanceof BackendError && countsAgainstHealth(err.kind) && err.kind !== 'auth'),
        { halfOpenAfter: this.options.cooldownMs, breaker: new ConsecutiveBreaker(this.options.failureThreshold) },
      );
      const made: Entry = { breaker, consecutive: 0, recent: [] };
      breaker.onBreak(() => {
        made.openedAt = this.now();
        this._onDidChange.fire(backend);
      });
      breaker.onReset(() => this._onDidChange.fire(backend));
      breaker.onHalfOpen(() => this._onDidChange.fire(backend));
      this.entries.set(backend, made);
      e = made;
    }
    return e;
  }
}

const AUTH_STEPS: Readonly<Record<BackendKind, string>> = {
  claudeCode: "Log in: run 'claude' in a terminal, or set the instance to bill an API key",
  anthropic: 'Set the Anthropic key (LLM Fleet: Set API Key…)',
  openai: 'Set the key for the OpenAI-compatible server (LLM Fleet: Set API Key…)',
  ollama: 'Check the Ollama host setting',
};

/** What the user can do about the last failure, in the words the health view shows. */
function nextStepOf(backend: BackendKind, last: HealthError | undefined): Pick<BackendHealth, 'nextStep'> {
  if (!last) return {};
  const label = BACKEND_LABELS[backend];
  if (last.kind === 'auth') return { nextStep: AUTH_STEPS[backend] };
  if (last.kind === 'network') return { nextStep: backend === 'ollama' ? "Start Ollama ('ollama serve') or check llmFleet.ollama.host" : `Check the network and the ${label} base URL` };
  if (last.kind === 'rate_limited') return { nextStep: `Wait for the cooldown, or add another backend to the fallback chain (llmFleet.fallback.chain)` };
  if (last.kind === 'overloaded' || last.kind === 'server') return { nextStep: `Wait for the cooldown; ${label} is failing on its side` };
  if (last.kind === 'timeout') return { nextStep: backend === 'ollama' ? 'Check that the Ollama model is loaded and the machine is not swapping' : 'Retry, or raise llmFleet.fallback.firstDeltaTimeoutSeconds' };
  return last.hint ? { nextStep: last.hint } : {};
}
