/**
 * The edge between the `openai` client and an OpenAI-compatible server: base URL validation, a fetch that refuses
 * web pages, and the error classification.
 */
import OpenAI from 'openai';
import { BackendError, errorMessage, isAbortError, kindForStatus, parseRetryAfter, type StatusOverrides } from '../errors';

/** Why a configured base URL cannot be used, or undefined when it is fine. */
export function openAiBaseUrlProblem(baseURL: string): string | undefined {
  if (baseURL.trim() === '') return 'The OpenAI-compatible server has no base URL.';
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return `'${baseURL}' is not a valid base URL; it needs a scheme, e.g. http://127.0.0.1:1234/v1.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${baseURL}' is not a valid base URL: the scheme must be http or https, not ${url.protocol.slice(0, -1)}.`;
  if (url.search || url.hash) return `'${baseURL}' is not a valid base URL: it must not carry a query or a fragment.`;
  return undefined;
}

/** The server answered with a web page: a wrong base URL (often a missing `/v1`), a login portal, a proxy's error page. */
export class WebPageAnswerError extends Error {
  override readonly name = 'WebPageAnswerError';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered HTTP ${status} with a web page`);
  }
}

/** A fetch that fails fast on HTML, which the SDK would otherwise read as an empty stream or an opaque error. */
export const rejectWebPages: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (/text\/html|application\/xhtml/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel().catch(() => {});
    throw new WebPageAnswerError(String(input instanceof Request ? input.url : input), response.status);
  }
  return response;
};

/** vLLM, LiteLLM and most proxies say 503 when their queue is full; some proxies pass on Anthropic's 529. */
const OPENAI_STATUSES: StatusOverrides = { 503: 'overloaded', 529: 'overloaded' };

/** Maps whatever the SDK threw to the taxonomy, once, here at the edge. */
export function classifyOpenAiError(e: unknown, context: { baseURL: string; model?: string; signal?: AbortSignal }): BackendError {
  if (e instanceof BackendError) return e;
  const { baseURL, model } = context;
  if (context.signal?.aborted || isAbortError(e)) {
    // A timeout signal (discovery probes) aborts with a TimeoutError reason; that is not the user's cancel.
    const reason: unknown = context.signal?.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') return new BackendError('timeout', `${baseURL} did not answer in time.`, { cause: e, hint: 'Check that the server is running and reachable.' });
    return new BackendError('cancelled', 'Cancelled.', { cause: e });
  }
  const page = e instanceof WebPageAnswerError ? e : (e as { cause?: unknown } | undefined)?.cause instanceof WebPageAnswerError ? ((e as { cause: WebPageAnswerError }).cause) : undefined;
  if (page) {
    return new BackendError('bad_request', `The server at ${baseURL} is not an OpenAI-compatible API: it answered HTTP ${page.status} with a web page.`, {
      status: page.status,
      cause: e,
      hint: 'Check the base URL; it is usually the API root ending in /v1 (LM Studio: http://127.0.0.1:1234/v1).',
    });
  }
  if (e instanceof OpenAI.APIConnectionTimeoutError) return new BackendError('timeout', `${baseURL} did not answer in time.`, { cause: e, hint: 'Try again, or raise the request timeout.' });
  if (e instanceof OpenAI.APIConnectionError) {
    const cause = e.cause as { code?: string; cause?: { code?: string }; message?: string } | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    const why = code === 'ECONNREFUSED' ? 'nothing is listening there' : errorMessage(cause?.cause ?? cause ?? e);
    return new BackendError('network', `Could not reach ${baseURL}: ${why}.`, { cause: e, hint: 'Start the server, or check the base URL.' });
  }
  if (e instanceof OpenAI.APIError) {
    const status = typeof e.status === 'number' ? e.status : undefined;
    const body = e.error as { message?: string; code?: string | null; type?: string } | undefined;
    const detail = body?.message ?? e.message;
    const retryAfterMs = e.headers ? parseRetryAfter((n) => e.headers?.get(n)) : undefined;
    const init = { status, retryAfterMs, cause: e };
    const kind = kindForStatus(status, OPENAI_STATUSES);
    // OpenAI answers an exhausted account with 429 too, but waiting never fixes it.
    if (kind === 'rate_limited' && (body?.code === 'insufficient_quota' || body?.type === 'insufficient_quota')) {
      return new BackendError('auth', `The account behind ${baseURL} is out of quota: ${detail}`, { ...init, hint: 'Check the plan and billing for this key.' });
    }
    if (kind === 'rate_limited') return new BackendError('rate_limited', `Rate limited by ${baseURL}: ${detail}`, { ...init, hint: 'Wait and retry, or use another backend.' });
    if (kind === 'auth') return new BackendError('auth', `${baseURL} refused the key: ${detail}`, { ...init, hint: 'Set or check the key for this server with "LLM Fleet: Set API Key…".' });
    if (kind === 'not_found') {
      if (body?.code === 'model_not_found' || /model/i.test(detail)) {
        return new BackendError('not_found', `${baseURL} has no model '${model ?? '?'}': ${detail}`, { ...init, hint: 'Pick a model from the server’s /v1/models list.' });
      }
      return new BackendError('not_found', `${baseURL} does not serve the chat completions API (HTTP 404: ${detail}).`, { ...init, hint: 'Check the base URL; it usually ends in /v1.' });
    }
    if (body?.code === 'context_length_exceeded' || /context length|maximum context|too many tokens|prompt is too long/i.test(detail)) {
      return new BackendError('context_overflow', `The conversation is too long for '${model}': ${detail}`, { ...init, hint: 'Fork from an earlier message, or compress the context.' });
    }
    if (kind === 'timeout') return new BackendError('timeout', `${baseURL} timed out: ${detail}`, init);
    if (kind === 'overloaded') return new BackendError('overloaded', `${baseURL} is overloaded: ${detail}`, { ...init, hint: 'Retry in a moment.' });
    if (kind === 'bad_request') return new BackendError('bad_request', `${baseURL} rejected the request: ${detail}`, init);
    // No status: an `{"error": …}` event in the middle of the stream.
    const where = status === undefined ? ' mid-answer' : '';
    return new BackendError('server', `${baseURL} failed${where}: ${detail}`, { ...init, hint: 'Retry in a moment; see the server log.' });
  }
  if (e instanceof SyntaxError) return new BackendError('server', `${baseURL} sent a malformed stream event: ${e.message}`, { cause: e });
  if (e instanceof TypeError && /terminated|socket|fetch failed/i.test(e.message)) {
    return new BackendError('network', `The connection to ${baseURL} dropped mid-answer: ${errorMessage((e as { cause?: unknown }).cause ?? e)}.`, { cause: e, hint: 'Retry; check the server or proxy log.' });
  }
  return new BackendError('server', `Unexpected failure talking to ${baseURL}: ${errorMessage(e)}`, { cause: e });
}
