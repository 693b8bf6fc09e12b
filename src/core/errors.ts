/**
 * The one error taxonomy. Each backend classifies its failures into these kinds at its edge; routing, fallback,
 * the UI and the log read only `kind` (never an SDK class or a status code).
 */
import type { Cost } from './cost/cost';
import type { Usage } from './cost/usage';

export type ErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server'
  | 'network'
  | 'timeout'
  | 'auth'
  | 'context_overflow'
  | 'bad_request'
  | 'not_found'
  | 'cancelled'
  /** A spending cap (daily, tree, instance) would be or was crossed: refused before sending, or stopped mid-answer. */
  | 'budget_exceeded';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'rate_limited',
  'overloaded',
  'server',
  'network',
  'timeout',
  'auth',
  'context_overflow',
  'bad_request',
  'not_found',
  'cancelled',
  'budget_exceeded',
];

/** What to do next after a budget refusal: said once, so the chat, the log and the API agree. */
export const BUDGET_HINT = "Send it anyway once, raise the cap (LLM Fleet: Set Budget… on the instance, or the llmFleet.budget settings), or wait for tomorrow's daily cap.";

/** Kinds worth retrying on the same or another provider. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === 'rate_limited' || kind === 'overloaded' || kind === 'server' || kind === 'network' || kind === 'timeout';
}

/** Statuses whose kind differs from the shared ladder for one provider, e.g. Anthropic's 529 "overloaded". */
export type StatusOverrides = Readonly<Partial<Record<number, ErrorKind>>>;

/**
 * The kind an HTTP status means, before a backend looks at the body. Every backend starts here so that the same
 * status never means two things in two places; a provider's own codes (Anthropic's 529, a proxy's 503) come in as
 * `overrides`, which win. No status at all (an error event mid-stream) and anything that is not a 4xx is the
 * server's failure.
 */
export function kindForStatus(status: number | undefined, overrides: StatusOverrides = {}): ErrorKind {
  if (status === undefined) return 'server';
  const own = overrides[status];
  if (own) return own;
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'server';
}

export interface BackendErrorInit {
  /** Provider status code, when there was one. */
  status?: number;
  /** From `retry-after` / `retry-after-ms`, for `rate_limited` (and sometimes `overloaded`). */
  retryAfterMs?: number;
  /** What the user can do next, e.g. "Run 'ollama pull qwen2.5'". */
  hint?: string;
  cause?: unknown;
  /** What the provider reported for a turn that did not finish (it was billed for it): kept in the ledger. */
  usage?: Usage;
  /** That usage priced (the session stage adds it), for the transcript and the ledger. */
  cost?: Cost;
  /**
   * The turn was stopped on purpose, for this kind's reason (a budget cap crossed mid-answer): it is recorded as a
   * cancellation that keeps its partial answer, not as a failure of the backend.
   */
  stopped?: boolean;
}

/** A classified failure of a backend. Its message is written for the user, not the developer. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly hint?: string;
  readonly usage?: Usage;
  readonly cost?: Cost;
  readonly stopped?: boolean;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    init: BackendErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.hint = init.hint;
    if (init.usage) this.usage = init.usage;
    if (init.cost) this.cost = init.cost;
    if (init.stopped) this.stopped = true;
  }
}

/** The same error with more of what it knows (a partial usage and its price), everything else kept. */
export function withPartial(e: BackendError, more: Pick<BackendErrorInit, 'usage' | 'cost'>): BackendError {
  const init: BackendErrorInit = { status: e.status, retryAfterMs: e.retryAfterMs, hint: e.hint, cause: e.cause, usage: e.usage, cost: e.cost, stopped: e.stopped, ...more };
  const out = new BackendError(e.kind, e.message, init);
  out.stack = e.stack;
  return out;
}

/** Errors from the Fleet itself: bad names, unknown instances, asking a killed instance. */
export type FleetErrorCode =
  | 'invalid_name'
  | 'duplicate_name'
  | 'unknown_instance'
  | 'instance_killed'
  | 'unknown_backend'
  | 'invalid_argument'
  | 'unsupported'
  | 'nothing_to_relay';

export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly code: FleetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) from response headers. */
export function parseRetryAfter(get: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for the errors an AbortSignal produces in fetch, SDKs and execa. */
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError');
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
