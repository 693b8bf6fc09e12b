/**
 * Claude's count_tokens endpoint for the budget stage's close calls. The pre-flight estimate errs by up to a third
 * before a conversation is calibrated (./budgetEstimate.ts), so when it puts an ask near a cap's room it could block
 * an ask that fits or let through one that crosses. Only then does the stage ask the provider for the exact prompt
 * count: a clear case (far from any cap, or no cap) never pays the round trip.
 *
 * The count goes through the Anthropic backend's own client (AnthropicBackend.countTokens: its key and base URL),
 * in one try: a close call waits at most a short timeout, then the estimate decides and a note says so.
 */
import { AnthropicBackend } from '../backends/anthropic';
import type { Backend } from '../backends/backend';
import { countRequest, type CountRequest } from '../context/tokens';
import { BackendError, errorMessage } from '../errors';
import type { BackendKind } from '../kinds';
import type { TurnRequest } from '../turn/types';
import { promptMessages, type PromptEstimate } from './budgetEstimate';

/**
 * Counts a request's prompt at its provider. `undefined`: nothing can count it there (not the Anthropic API, or no
 * key), and the estimate decides without a note. Throws when the count was tried and failed.
 */
export type BudgetCounter = (backend: BackendKind, request: CountRequest, signal: AbortSignal) => Promise<number | undefined>;

/** An ask within this share of a cap's room, either side, is a close call (the plain estimate's mean error is ~28%). */
export const DEFAULT_COUNT_MARGIN = 0.25;
/** How long a close call waits for count_tokens before the estimate decides. */
export const DEFAULT_COUNT_TIMEOUT_MS = 1500;

/** Whether an ask of `ask` dollars is too near the room left under a cap for the estimate alone to decide. */
export function isCloseCall(ask: number, room: number, margin: number): boolean {
  return room > 0 && ask > 0 && Math.abs(ask - room) <= margin * room;
}

/** count_tokens for Anthropic API targets, by the Anthropic backend among `backends` (none there: nothing counts). */
export function anthropicBudgetCounter(backends: readonly Backend[]): BudgetCounter {
  const anthropic = backends.find((b) => b instanceof AnthropicBackend);
  return async (backend, request, signal) => (backend === 'anthropic' ? anthropic?.countTokens(request, signal) : undefined);
}

/** The exact count of a close call's prompt, or why there is none (`failed`, for the note); throws only when the ask is cancelled. */
export async function exactPrompt(counter: BudgetCounter, request: TurnRequest, estimate: PromptEstimate, timeoutMs: number): Promise<{ prompt?: PromptEstimate; failed?: string }> {
  const body = countRequest(request.target.model, promptMessages(request));
  if (!body) return {};
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const tokens = await counter(request.target.backend, body, AbortSignal.any([request.signal, timeout]));
    if (tokens === undefined) return {};
    if (!(Number.isInteger(tokens) && tokens > 0)) return { failed: `count_tokens answered ${String(tokens)}, not a count` };
    return { prompt: { tokens, cached: Math.min(tokens, estimate.cached), source: 'count_tokens' } };
  } catch (e) {
    if (request.signal.aborted) throw new BackendError('cancelled', 'Cancelled before sending, while the prompt was counted.', { cause: e });
    if (timeout.aborted) return { failed: `count_tokens did not answer within ${timeoutMs / 1000} s` };
    return { failed: `count_tokens failed: ${errorMessage(e)}` };
  }
}
