/**
 * Every way a Claude Code turn can fail, classified once into the shared taxonomy. The CLI reports API failures as a
 * `result` with `is_error:true` (often with `subtype:"success"`, so the subtype is never trusted), an
 * `api_error_status`, and a human message; the process itself can also fail to start or die.
 */
import { BackendError, BUDGET_HINT, kindForStatus } from '../errors';
import { ANTHROPIC_STATUSES } from './anthropic';

export const INSTALL_HINT =
  "Install Claude Code with 'npm install -g @anthropic-ai/claude-code', or set the 'llmFleet.claudeCode.path' setting to the claude binary.";

/** The fields of a `result` line this module reads. */
export interface ResultLine {
  readonly is_error?: boolean;
  readonly subtype?: string;
  readonly result?: string;
  readonly errors?: readonly string[];
  readonly api_error_status?: number | null;
  readonly terminal_reason?: string;
}

/** A `result` with `is_error`, as a classified error. `retryAfterMs` is the CLI's last announced retry delay. */
export function classifyResult(r: ResultLine, retryAfterMs?: number): BackendError {
  const detail = (r.result || r.errors?.join('; ') || `the turn ended with '${r.subtype ?? 'an error'}'`).trim();
  const status = typeof r.api_error_status === 'number' ? r.api_error_status : undefined;
  const init = { status };
  // The status is the Anthropic API's, passed on by the CLI.
  const kind = kindForStatus(status, ANTHROPIC_STATUSES);
  if (r.terminal_reason === 'prompt_too_long' || kind === 'context_overflow' || /prompt is too long/i.test(detail)) {
    return new BackendError('context_overflow', `The conversation is too long for the model: ${detail}`, { ...init, hint: 'Fork from an earlier message, or start a new instance.' });
  }
  // The CLI's own spending stop (`--max-budget-usd`, the budget stage's backstop). Measured with 2.1.330: the turn
  // that crosses it is answered and billed, then ends with this; every later turn is refused before any request.
  if (r.subtype === 'error_max_budget_usd' || r.terminal_reason === 'budget_exhausted') {
    return new BackendError('budget_exceeded', `Claude Code's own spending stop (--max-budget-usd, the instance's cap) was reached: ${detail}`, { hint: BUDGET_HINT });
  }
  if (r.subtype === 'error_max_turns') {
    return new BackendError('bad_request', `Claude Code stopped at its turn limit: ${detail}`, { hint: "Raise the instance's maxTurns option, or ask again to continue." });
  }
  // The CLI never shows the API's Retry-After itself. Measured with 2.1.330, a 429 with `retry-after: 1`: with retries
  // left it prints `{"type":"system","subtype":"api_retry",…,"retry_delay_ms":1221,"error_status":429,"error":"rate_limit"}`
  // (the wait it made, taken as the hint). With CLAUDE_CODE_MAX_RETRIES=0 (a fallback chain is set) it makes one
  // request and prints only the synthetic assistant (`"error":"rate_limit"`, `api_error_status:429`) and
  // `{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"api_error_type":"rate_limit_error",
  // "terminal_reason":"api_error","result":"API Error: Request rejected (429) · fake rate limit"}`, exit 1; nothing on
  // stderr nor in its --debug log. So the error has no retryAfterMs, and the fallback moves on at once (no known wait).
  // (ANTHROPIC_LOG=debug would print the headers, but on stdout, which would break stream-json.)
  if (kind === 'rate_limited') return new BackendError('rate_limited', `Rate limited (via Claude Code): ${detail}`, { ...init, retryAfterMs, hint: 'Wait and retry, or use another backend.' });
  if (kind === 'overloaded' || /overloaded/i.test(detail)) return new BackendError('overloaded', `The API is overloaded (via Claude Code): ${detail}`, { ...init, status: status ?? 529, hint: 'Retry in a moment.' });
  if (kind === 'auth' || /not logged in|invalid api key|failed to authenticate/i.test(detail)) {
    return new BackendError('auth', `Claude Code could not authenticate: ${detail}`, {
      ...init,
      hint: "Run 'claude' in a terminal and log in, or set the instance to bill an API key and set the key.",
    });
  }
  if (kind === 'not_found') return new BackendError('not_found', `Not found (via Claude Code): ${detail}`, { ...init, hint: 'Check the model name.' });
  if (kind === 'timeout' || /timed out|timeout/i.test(detail)) return new BackendError('timeout', `The API did not answer in time (via Claude Code): ${detail}`, init);
  if (/no conversation found|no message found with message.uuid/i.test(detail)) return unknownSession(detail);
  if (/connection|ECONNRESET|ECONNREFUSED|socket|network/i.test(detail)) return new BackendError('network', `Claude Code lost the connection to the API: ${detail}`, { ...init, hint: 'Check the network and ANTHROPIC_BASE_URL.' });
  if (kind === 'bad_request') return new BackendError('bad_request', `The API rejected the request (via Claude Code): ${detail}`, init);
  return new BackendError('server', `Claude Code reported an error: ${detail}`, { ...init, hint: 'Retry in a moment.' });
}

/** The session id the instance holds is not on disk any more (deleted, or another machine's). */
export function unknownSession(detail: string): BackendError {
  return new BackendError('not_found', `Claude Code could not resume this instance's session: ${detail}`, {
    hint: 'The next ask starts a new Claude Code session, seeded with this transcript.',
  });
}

/** The process ended while a turn was running (crash, OOM kill, or an external kill). */
export function processDied(code: number | undefined, signal: string | undefined, stderrTail: string): BackendError {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
  const tail = stderrTail.trim();
  if (/No conversation found with session ID/i.test(tail)) return unknownSession(tail);
  return new BackendError('server', `The Claude Code process ${how} before the answer was complete.${tail ? ` Its last output: ${tail}` : ''}`, {
    hint: 'Ask again: the process is restarted and resumes the session.',
  });
}

/** A spawn failure (ENOENT, EACCES) as a clear error with the install hint. */
export function spawnFailed(binary: string, e: unknown): BackendError {
  const code = (e as { code?: string } | undefined)?.code;
  if (code === 'ENOENT') return new BackendError('not_found', `The Claude Code binary was not found at '${binary}'.`, { hint: INSTALL_HINT, cause: e });
  if (code === 'EACCES') return new BackendError('not_found', `The Claude Code binary at '${binary}' is not executable.`, { hint: `Make it executable (chmod +x), or ${INSTALL_HINT.charAt(0).toLowerCase()}${INSTALL_HINT.slice(1)}`, cause: e });
  return new BackendError('server', `Could not start Claude Code ('${binary}'): ${(e as Error)?.message ?? String(e)}`, { hint: INSTALL_HINT, cause: e });
}
