import { BackendError, errorMessage, isAbortError, type ErrorKind } from '../errors';
import type { Cost } from '../cost/cost';
import type { Usage } from '../cost/usage';
import type { AssistantMessage } from '../transcript';
import type { TurnAttempt, TurnResult } from './types';

/** How one turn looked from the instance: its own id, clock and streamed text. */
export interface TurnFrame {
  readonly id: string;
  readonly at: number;
  readonly latencyMs: number;
  readonly firstTokenMs?: number;
}

/** The transcript's record of an answer the pipeline returned. Attempts are kept when more than one was made. */
export function answerOf(result: TurnResult, frame: TurnFrame): AssistantMessage {
  return {
    id: frame.id,
    role: 'assistant',
    backend: result.backend,
    text: result.text,
    at: frame.at,
    status: 'complete',
    model: result.model,
    usage: result.usage,
    cost: result.cost,
    latencyMs: frame.latencyMs,
    firstTokenMs: frame.firstTokenMs,
    backendMessageId: result.backendMessageId,
    ...(result.parts?.length ? { parts: result.parts } : {}),
    ...(result.apiCompaction ? { apiCompaction: result.apiCompaction } : {}),
    ...(result.attempts.length > 1 ? { attempts: result.attempts } : {}),
  };
}

/** A failed turn, classified once: what the transcript records and what the ask rejects with. */
export interface Failure {
  readonly kind: ErrorKind | 'unknown';
  /** The ask's rejection kind: a kill reads `instance_killed`, while the transcript records a cancelled turn. */
  readonly rejectKind: ErrorKind | 'instance_killed' | 'unknown';
  readonly message: string;
  readonly hint?: string;
  readonly retryAfterMs?: number;
  readonly cancelled: boolean;
  /** What the provider reported (and what it cost) for the part that was answered, when it said. */
  readonly usage?: Usage;
  readonly cost?: Cost;
  /** Every try, each with its error, when a fallback stage made several (it attaches them to the error it throws). */
  readonly attempts?: readonly TurnAttempt[];
}

export function classifyFailure(e: unknown, aborted: boolean, killedMessage: string | undefined): Failure {
  // A stage that stopped the turn on purpose (a budget cap crossed mid-answer) cancelled it, for its own reason.
  const stopped = killedMessage === undefined && !aborted && e instanceof BackendError && e.stopped === true;
  const cancelled = stopped || killedMessage !== undefined || aborted || isAbortError(e) || (e instanceof BackendError && e.kind === 'cancelled');
  const kind: ErrorKind | 'unknown' = stopped ? (e as BackendError).kind : cancelled ? 'cancelled' : e instanceof BackendError ? e.kind : 'unknown';
  const partial = e instanceof BackendError ? e : undefined;
  return {
    kind,
    rejectKind: killedMessage !== undefined ? 'instance_killed' : kind,
    message: killedMessage ?? (cancelled && !stopped ? 'Cancelled.' : errorMessage(e)),
    hint: e instanceof BackendError ? e.hint : undefined,
    retryAfterMs: e instanceof BackendError ? e.retryAfterMs : undefined,
    cancelled,
    ...(partial?.usage ? { usage: partial.usage } : {}),
    ...(partial?.cost ? { cost: partial.cost } : {}),
    ...attemptsOf(e),
  };
}

/** Every try of the ask, when a fallback stage attached them to the error it threw. */
export function attemptsOfError(error: unknown): readonly TurnAttempt[] | undefined {
  const a = (error as { attempts?: unknown } | null)?.attempts;
  return Array.isArray(a) && a.every((x) => typeof x?.backend === 'string' && typeof x?.model === 'string') ? (a as TurnAttempt[]) : undefined;
}

function attemptsOf(e: unknown): Pick<Failure, 'attempts'> {
  const attempts = attemptsOfError(e);
  return attempts?.length ? { attempts } : {};
}

/** The transcript's record of a failed turn: the partial text that arrived, and the attempts made. */
export function failedAnswerOf(failure: Failure, frame: TurnFrame & { readonly text: string; readonly backend: TurnAttempt['backend']; readonly model: string }, attempts: readonly TurnAttempt[]): AssistantMessage {
  return {
    id: frame.id,
    role: 'assistant',
    backend: frame.backend,
    text: frame.text,
    at: frame.at,
    status: failure.cancelled ? 'cancelled' : 'error',
    model: frame.model,
    latencyMs: frame.latencyMs,
    firstTokenMs: frame.firstTokenMs,
    ...(failure.usage ? { usage: failure.usage } : {}),
    ...(failure.cost ? { cost: failure.cost } : {}),
    error: { kind: failure.kind, message: failure.message, hint: failure.hint },
    ...(attempts.length > 1 ? { attempts } : {}),
  };
}
