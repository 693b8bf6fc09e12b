/**
 * The fallback stage: runs a turn along an ordered chain of targets, across providers (Claude Code opus → Anthropic
 * sonnet → Anthropic haiku → Ollama qwen2.5). It sits before the ledger and the budgets, so each try it makes is a
 * `next()` that the ledger records and the budget checks, and it tells them which try it is (`request.chain`).
 *
 * - Triggers: rate_limited (Retry-After honoured up to `maxRetryWaitMs`, then on along the chain, the backend
 *   cooling down meanwhile), overloaded, server, network, timeout, context_overflow (on to a link with a larger
 *   window) and auth (that backend is isolated, and on). Anything else (bad_request, cancelled, budget_exceeded,
 *   not_found) ends the turn as it is.
 * - One budget of attempts for the whole ask (`maxAttempts`): a Retry-After retry on the same backend and a move
 *   along the chain both spend one, and each attempt asks the SDK for no retries of its own (`sdkRetries: 0`), so
 *   the two never multiply; a turn with no chain keeps the SDK's retries.
 * - Each backend's circuit breaker (cockatiel, in health.ts) skips a backend that failed repeatedly until its
 *   cooldown ends; the next call after it is the half-open probe.
 * - A failure before the first delta moves on silently (the attempt keeps its error). A failure after text was shown
 *   keeps that text, and the next backend's answer follows a marker that says it starts over elsewhere, so the
 *   answer reads as what it is and the transcript holds exactly what was shown.
 *
 * Hand-written rather than cockatiel: the Retry-After wait (cockatiel 3.2's retry delay does not stop on the abort
 * signal, and a cancel must stop the wait at once) and the time allowed to the first delta (cockatiel's timeout
 * covers the whole call, and a long answer that is streaming is not hung).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { estimateTokens } from '../context/tokens';
import { BackendError, errorMessage, isAbortError, type ErrorKind } from '../errors';
import { BACKEND_LABELS } from '../kinds';
import type { AssistantMessage } from '../transcript';
import type { FallbackLink, TurnAttempt, TurnEmit, TurnRequest, TurnResult, TurnStage, TurnTarget } from '../turn/types';
import { knownContextWindow } from '../context/contextWindows';
import { isCircuitRefusal, type HealthRegistry } from './health';

export interface FallbackSettings {
  /** The global chain, tried after the turn's own target when the instance has no chain of its own. */
  readonly chain: readonly FallbackLink[];
  /** Requests one ask may send, over every backend and retry (the first one included). */
  readonly maxAttempts: number;
  /** The longest Retry-After the chain waits for on the same backend; a longer one moves on at once. */
  readonly maxRetryWaitMs: number;
  /** An attempt with no text (nor tool call) after this long is given up as timed out (0: only the backends' own watchdogs). */
  readonly firstDeltaTimeoutMs: number;
}

export const DEFAULT_FALLBACK: FallbackSettings = { chain: [], maxAttempts: 4, maxRetryWaitMs: 10_000, firstDeltaTimeoutMs: 60_000 };

/** The kinds that move a turn along its chain. */
const TRIGGERS: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'overloaded', 'server', 'network', 'timeout', 'context_overflow', 'auth']);

export interface FallbackDeps {
  readonly health: HealthRegistry;
  /** Read per turn, so a changed setting applies to the next ask. */
  settings(): FallbackSettings;
  /** The window of a target in tokens; default: the built-in table (../context/contextWindows.ts). */
  contextWindow?(target: TurnTarget): number | undefined;
}

const same = (a: TurnTarget, b: TurnTarget) => a.backend === b.backend && a.model === b.model;
const targetLabel = (t: TurnTarget) => `${BACKEND_LABELS[t.backend]} · ${t.model}`;

/** The turn's own target first, then the instance's chain (or else the global one), each target once. An own empty chain is none. */
export function chainFor(request: TurnRequest, settings: FallbackSettings): FallbackLink[] {
  return chainOf(request.target, request.instance.spec.fallback, settings.chain);
}

/** `target`, then `own` (or, when absent, `global`), each target once: what chainFor reads off a turn. */
export function chainOf(target: TurnTarget, own: readonly FallbackLink[] | undefined, global: readonly FallbackLink[]): FallbackLink[] {
  const out: FallbackLink[] = [target];
  for (const l of own ?? global) if (!out.some((o) => same(o, l))) out.push(l);
  return out;
}

/** An error that carries every attempt of the ask, as the ledger and the transcript read them. */
function withAttempts(e: unknown, attempts: readonly TurnAttempt[]): unknown {
  if (e instanceof Error) return Object.assign(e, { attempts: [...attempts] });
  return e;
}

export function fallbackStage(deps: FallbackDeps): TurnStage {
  const windowOf = (l: FallbackLink) => l.contextWindow ?? deps.contextWindow?.(l) ?? knownContextWindow(l.backend, l.model);
  return async (request, next, emit) => {
    const settings = deps.settings();
    const chain = chainFor(request, settings);
    // No chain: the turn is the plain call (retries are the SDK's); its failures still show in the health view.
    if (chain.length === 1) return deps.health.observe(request.target.backend, () => next(request), request.target.model);
    const attempts: TurnAttempt[] = [];
    const shown: string[] = []; // text already on screen, from tries that failed after it
    let budget = Math.max(1, settings.maxAttempts);
    let lastError: unknown;
    let needWindow: number | undefined;
    let previous: TurnTarget | undefined;
    /** A try failed after its text was shown: the next answer's first delta comes after a marker. */
    let pendingMarker: { readonly failed: TurnTarget; readonly kind: ErrorKind | 'unknown' } | undefined;
    for (const link of chain) {
      if (budget <= 0) break;
      if (needWindow !== undefined && !((windowOf(link) ?? 0) > needWindow)) continue;
      if (!deps.health.isAvailable(link.backend)) {
        const h = deps.health.state(link.backend);
        emit({ type: 'note', stage: 'fallback', text: `skipped ${targetLabel(link)}: ${h.state}${h.until ? `, ${Math.ceil((h.until - Date.now()) / 1000)} s left` : ''}` });
        continue;
      }
      const reason = previous ? `fallback after ${targetLabel(previous)}: ${attempts.at(-1)?.error?.kind ?? 'failed'}` : request.reason;
      // Retries on this link (Retry-After within the cap) stay in this loop; everything else moves on.
      for (;;) {
        budget--;
        // sdkRetries 0: the chain's attempts are the retries, so an SDK retrying inside one would multiply them.
        const tryRequest: TurnRequest = { ...request, target: { backend: link.backend, model: link.model }, ...(reason ? { reason } : {}), chain: { attempt: attempts.length, ...(previous ? { fallbackFrom: previous } : {}) }, sdkRetries: 0 };
        let text = '';
        // A tool call or reasoning is progress too: a Claude Code turn may work a long while before it writes.
        let progressed = false;
        const onEvent: TurnEmit = (event) => {
          if (event.type === 'part' || (event.type === 'delta' && event.text.length > 0)) progressed = true;
          if (event.type === 'delta' && event.text.length > 0) {
            if (pendingMarker !== undefined && text === '') {
              const marker = markerFor(pendingMarker.failed, pendingMarker.kind, link);
              emit({ type: 'delta', text: marker });
              shown.push(marker);
              pendingMarker = undefined;
            }
            text += event.text;
          }
          emit(event);
        };
        try {
          const result = await deps.health.execute(link.backend, () => attempt(next, tryRequest, onEvent, settings.firstDeltaTimeoutMs, () => progressed), link.model);
          const own = result.attempts.map((a) => ({ ...a, ...(reason ? { reason } : {}) }));
          attempts.push(...own);
          const prefix = shown.join('');
          const line = answeredBy({ ...result, status: 'complete', attempts });
          if (line) emit({ type: 'note', stage: 'fallback', text: line });
          return { ...result, text: prefix + result.text, attempts: [...attempts] };
        } catch (e) {
          if (isCircuitRefusal(e)) {
            budget++; // nothing was sent: the circuit opened under us (a concurrent ask tripped it)
            break;
          }
          lastError = e;
          const kind: ErrorKind | 'unknown' = request.signal.aborted || isAbortError(e) ? 'cancelled' : e instanceof BackendError ? e.kind : 'unknown';
          attempts.push({ backend: link.backend, model: link.model, ...(reason ? { reason } : {}), error: { kind, message: errorMessage(e) } });
          if (kind === 'unknown' || !TRIGGERS.has(kind) || (e instanceof BackendError && e.stopped)) throw withAttempts(e, attempts);
          if (text.length > 0) {
            shown.push(text);
            pendingMarker = { failed: link, kind };
          }
          const retryAfterMs = e instanceof BackendError ? e.retryAfterMs : undefined;
          if (kind === 'rate_limited' && retryAfterMs !== undefined && retryAfterMs > 0) {
            if (retryAfterMs <= settings.maxRetryWaitMs && budget > 0 && text.length === 0) {
              emit({ type: 'note', stage: 'fallback', text: `${targetLabel(link)} is rate limited: waiting ${(retryAfterMs / 1000).toFixed(1)} s (Retry-After) before trying it again` });
              try {
                await sleep(retryAfterMs, undefined, { signal: request.signal });
              } catch (abort) {
                throw withAttempts(new BackendError('cancelled', 'Cancelled.', { cause: abort }), attempts);
              }
              continue;
            }
            deps.health.coolFor(link.backend, retryAfterMs);
          }
          if (kind === 'context_overflow') needWindow = Math.max(needWindow ?? 0, windowOf(link) ?? estimateTokens(request.history, link.model));
          previous = link;
          break;
        }
      }
    }
    if (lastError === undefined) {
      lastError = new BackendError('overloaded', `No backend of the fallback chain is available now (${chain.map(targetLabel).join(', ')}).`, {
        hint: 'See "LLM Fleet: Show Backend Health" for when each cools down, or add a backend to llmFleet.fallback.chain.',
      });
    }
    throw withAttempts(lastError, attempts);
  };
}

/** One try on one target: the rest of the pipeline, given up as timed out if no text comes in time. */
async function attempt(next: (r: TurnRequest, emit?: TurnEmit) => Promise<TurnResult>, request: TurnRequest, emit: TurnEmit, firstDeltaMs: number, started: () => boolean): Promise<TurnResult> {
  if (firstDeltaMs <= 0) return next(request, emit);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  // A signal aborted before this try (a cancel while an outer stage awaited) fires no event: pass it on at once.
  if (request.signal.aborted) controller.abort();
  else request.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    if (started()) return;
    timedOut = true;
    controller.abort();
  }, firstDeltaMs);
  try {
    return await next({ ...request, signal: controller.signal }, emit);
  } catch (e) {
    if (timedOut && !request.signal.aborted) {
      throw new BackendError('timeout', `${targetLabel(request.target)} sent nothing for ${Math.round(firstDeltaMs / 1000)} s.`, { cause: e, hint: 'Raise llmFleet.fallback.firstDeltaTimeoutSeconds if this model is slow to start.' });
    }
    throw e;
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
  }
}

/** The line between a partial answer and the next backend's answer, which starts over from the question. */
function markerFor(failed: TurnTarget, kind: ErrorKind | 'unknown', next: TurnTarget): string {
  return `\n\n---\n\n*↪ ${targetLabel(failed)} stopped mid-answer (${kind}). Continued by fallback: ${targetLabel(next)}, answering from the start.*\n\n`;
}

/**
 * What the latest answer's attempts say, when some failed: "answered by fallback: Anthropic API · claude-haiku-4-5
 * (Claude Code · opus: overloaded)", or, when every failure was on the target that answered (a Retry-After wait),
 * "answered on retry: … (rate_limited)". Undefined for an answer that needed neither.
 */
export function answeredBy(message: Pick<AssistantMessage, 'backend' | 'model' | 'status' | 'attempts'>): string | undefined {
  const failures = message.attempts?.filter((a) => a.error) ?? [];
  if (message.status !== 'complete' || failures.length === 0) return undefined;
  const answered = targetLabel(message);
  // The last attempt is the one that answered; its model is the one asked for, the message's the one reported.
  const last = message.attempts!.at(-1)!;
  if (failures.every((a) => a.backend === last.backend && a.model === last.model)) return `answered on retry: ${answered} (${failures.map((a) => a.error!.kind).join(', ')})`;
  return `answered by fallback: ${answered} (${failures.map((a) => `${targetLabel(a)}: ${a.error!.kind}`).join('; ')})`;
}

/**
 * The Claude Code CLI's retries, as the extra environment of an instance's processes: none while a chain applies to
 * that instance (its default of 10 takes about 3 minutes to give up), so each chain attempt is one request. A process
 * takes it only at start; the session restarts an idle process whose value changed (claudeCodeSession's launch
 * fingerprint). The SDKs need no such switch: each chain attempt asks them for no retries (`sdkRetries`).
 */
export function cliRetryEnv(chainApplies: boolean): Record<string, string> {
  return chainApplies ? { CLAUDE_CODE_MAX_RETRIES: '0' } : {};
}
