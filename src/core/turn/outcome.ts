import { BackendError, errorMessage, isAbortError, type ErrorKind } from '../errors';
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
}

export function classifyFailure(e: unknown, aborted: boolean, killedMessage: string | undefined): Failure {
  const cancelled = killedMessage !== undefined || aborted || isAbortError(e) || (e instanceof BackendError && e.kind === 'cancelled');
  const kind: ErrorKind | 'unknown' = cancelled ? 'cancelled' : e instanceof BackendError ? e.kind : 'unknown';
  return {
    kind,
    rejectKind: killedMessage !== undefined ? 'instance_killed' : kind,
    message: killedMessage ?? (cancelled ? 'Cancelled.' : errorMessage(e)),
    hint: e instanceof BackendError ? e.hint : undefined,
    retryAfterMs: e instanceof BackendError ? e.retryAfterMs : undefined,
    cancelled,
  };
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
    error: { kind: failure.kind, message: failure.message, hint: failure.hint },
    ...(attempts.length > 1 ? { attempts } : {}),
  };
}
