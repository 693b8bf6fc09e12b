/**
 * The edge between the `ollama` client and the network: host validation, a fetch wrapper that makes cancel work
 * before the response headers arrive and refuses answers that are not Ollama's JSON, and the error classification.
 */
import { BackendError, errorMessage, isAbortError, kindForStatus, type StatusOverrides } from '../errors';

/** Where Ollama listens unless told otherwise. */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/**
 * Why a configured host cannot be used, or undefined when it is fine. Accepts what the `ollama` client accepts
 * (`localhost`, `127.0.0.1:11434`, `:11434`, `http://gpu-box:11434/ollama`) but only with http or https.
 */
export function ollamaHostProblem(host: string): string | undefined {
  const trimmed = host.trim();
  if (trimmed === '') return 'The Ollama host is empty.';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    return `'${host}' is not a valid Ollama host: the scheme must be http or https, not ${scheme}.`;
  }
  const candidate = trimmed.startsWith(':') ? `http://127.0.0.1${trimmed}` : scheme ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return `'${host}' is not a valid Ollama host URL.`;
  }
  if (url.hostname === '' || /[\s<>"{}|\\^`]/.test(trimmed)) return `'${host}' is not a valid Ollama host URL.`;
  if (url.search || url.hash) return `'${host}' is not a valid Ollama host: it must not carry a query or a fragment.`;
  return undefined;
}

/** Throws a `bad_request` BackendError for a host that cannot be used; hosts are user settings, so say how to fix it. */
export function checkOllamaHost(host: string): void {
  const problem = ollamaHostProblem(host);
  if (problem) throw new BackendError('bad_request', problem, { hint: `Set the Ollama host to a URL like ${DEFAULT_OLLAMA_HOST}.` });
}

/** The server answered with something that is not Ollama's JSON (a web page, a proxy's error page). */
export class NotOllamaAnswerError extends Error {
  override readonly name = 'NotOllamaAnswerError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly contentType: string,
    readonly snippet: string,
  ) {
    super(`${url} answered HTTP ${status} with ${contentType || 'no content type'}, not Ollama's JSON: ${snippet}`);
  }
}

/** A line of an NDJSON stream that is not JSON. The client would skip it with a console warning and lose its text. */
export class InvalidStreamLineError extends Error {
  override readonly name = 'InvalidStreamLineError';
  constructor(readonly line: string) {
    super(`Ollama sent a stream line that is not JSON: ${clip(line)}`);
  }
}

export interface OllamaFetchOptions {
  /** Aborts the request at any point, including before the response headers arrive. */
  signal?: AbortSignal;
  /** Check every line of the (NDJSON) body and fail on the first one that is not JSON. */
  validateLines?: boolean;
}

/**
 * A fetch for one `Ollama` client instance. The client registers its own abort only once headers arrive, and
 * `Ollama.abort()` aborts every stream on an instance, so each request gets its own client and this wrapper.
 */
export function ollamaFetch(options: OllamaFetchOptions): typeof fetch {
  return async (input, init) => {
    const signals = [init?.signal, options.signal].filter((s): s is AbortSignal => s != null);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const response = await fetch(input, { ...init, signal });
    const contentType = response.headers.get('content-type') ?? '';
    if (/text\/html|application\/xhtml/i.test(contentType)) {
      const body = await response.text().catch(() => '');
      throw new NotOllamaAnswerError(String(input), response.status, contentType, clip(body));
    }
    if (!options.validateLines || !response.ok || !response.body) return response;
    return new Response(validatedLines(response.body), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Passes NDJSON on line by line while checking that each complete line parses. Only whole, valid lines go on, so
 * lines before a bad one are delivered first; the bad one then fails the stream: the text that arrived is kept
 * and the gap is reported, where the client would skip the line with a console warning and lose its text.
 */
export function validatedLines(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  let failure: Error | undefined;
  const isJson = (line: string): boolean => {
    if (line.trim() === '') return true;
    try {
      JSON.parse(line);
      return true;
    } catch {
      failure = new InvalidStreamLineError(line);
      return false;
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (failure) {
          controller.error(failure);
          await reader.cancel().catch(() => {});
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          const rest = pending + decoder.decode();
          pending = '';
          if (rest.trim() !== '' && !isJson(rest)) continue;
          if (rest !== '') controller.enqueue(encoder.encode(rest));
          return controller.close();
        }
        const lines = (pending + decoder.decode(value, { stream: true })).split('\n');
        pending = lines.pop() ?? '';
        const bad = lines.findIndex((l) => !isJson(l));
        const good = bad < 0 ? lines : lines.slice(0, bad);
        if (bad >= 0) pending = '';
        if (good.length > 0) return controller.enqueue(encoder.encode(good.join('\n') + '\n'));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Ollama answers 503 when its queue (OLLAMA_MAX_QUEUE) is full: busy, not broken. */
const OLLAMA_STATUSES: StatusOverrides = { 503: 'overloaded' };

/** Maps what the `ollama` client threw to the taxonomy, once, here at the edge. */
export function classifyOllamaError(e: unknown, context: { host: string; model?: string; signal?: AbortSignal }): BackendError {
  if (e instanceof BackendError) return e;
  const { host, model } = context;
  if (context.signal?.aborted || isAbortError(e)) {
    // A timeout signal aborts with a TimeoutError reason; that is not the user's cancel.
    const reason: unknown = context.signal?.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') return new BackendError('timeout', `Ollama at ${host} did not answer in time.`, { cause: e });
    return new BackendError('cancelled', 'Cancelled.', { cause: e });
  }
  if (e instanceof NotOllamaAnswerError) {
    return new BackendError('bad_request', `The server at ${host} is not Ollama: it answered HTTP ${e.status} with a web page.`, {
      status: e.status,
      cause: e,
      hint: `Check the Ollama host setting; Ollama's API answers JSON at ${DEFAULT_OLLAMA_HOST}/api/version.`,
    });
  }
  if (e instanceof InvalidStreamLineError) {
    return new BackendError('server', `${e.message}. The answer stops there rather than silently skipping text.`, { cause: e, hint: 'Retry; if it repeats, check for a proxy between you and Ollama.' });
  }
  if (e instanceof Error && e.name === 'ResponseError') {
    const status = (e as Error & { status_code?: number }).status_code;
    const detail = e.message;
    const init = { status, cause: e };
    const kind = kindForStatus(status, OLLAMA_STATUSES);
    // Ollama says 404 both for a model it has not pulled and (as does anything else) for a path it lacks.
    if (kind === 'not_found' && /model\b.*\bnot found/i.test(detail)) {
      return new BackendError('not_found', `Ollama has no model '${model ?? '?'}': ${detail}`, { ...init, hint: `Run \`ollama pull ${model ?? '<model>'}\`, or pick a model from \`ollama list\`.` });
    }
    if (kind === 'not_found') {
      return new BackendError('not_found', `The server at ${host} does not speak Ollama's API (HTTP 404: ${clip(detail)}).`, { ...init, hint: 'Check the Ollama host setting.' });
    }
    if (kind === 'auth') return new BackendError('auth', `Ollama at ${host} refused the request: ${detail}`, { ...init, hint: 'Check the headers or proxy credentials for this host.' });
    if (kind === 'rate_limited') return new BackendError('rate_limited', `Ollama at ${host} is rate limiting: ${detail}`, { ...init, hint: 'Wait and retry.' });
    if (kind === 'overloaded') return new BackendError('overloaded', `Ollama at ${host} is busy: ${detail}`, { ...init, hint: 'Retry in a moment (OLLAMA_MAX_QUEUE may be full).' });
    if (kind === 'timeout') return new BackendError('timeout', `Ollama at ${host} timed out: ${detail}`, init);
    if (/context|too long|exceeds/i.test(detail) && status !== undefined && status < 500) {
      return new BackendError('context_overflow', `The conversation is too long for '${model}': ${detail}`, { ...init, hint: 'Fork from an earlier message, or raise the context length setting.' });
    }
    if (kind === 'bad_request') return new BackendError('bad_request', `Ollama rejected the request: ${detail}`, init);
    return new BackendError('server', `Ollama failed: ${detail}`, { ...init, hint: 'See the Ollama server log; retry in a moment.' });
  }
  const cause = (e as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (e instanceof TypeError && (cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN' || /fetch failed/i.test(e.message))) {
    const why = cause?.code === 'ECONNREFUSED' ? 'nothing is listening there' : errorMessage(cause ?? e);
    return new BackendError('network', `Could not reach Ollama at ${host}: ${why}.`, { cause: e, hint: 'Start it with `ollama serve`, or check the Ollama host setting.' });
  }
  if (e instanceof TypeError && /terminated|socket/i.test(e.message)) {
    return new BackendError('network', `The connection to Ollama at ${host} dropped mid-answer: ${errorMessage(cause ?? e)}.`, { cause: e, hint: 'Retry; check whether the Ollama server restarted.' });
  }
  if (e instanceof SyntaxError) return new BackendError('server', `The server at ${host} answered with something that is not Ollama's JSON: ${e.message}`, { cause: e, hint: 'Check the Ollama host setting.' });
  if (e instanceof Error && /did not receive done/i.test(e.message)) {
    return new BackendError('network', `Ollama at ${host} ended the answer early (the stream closed without its final line).`, { cause: e, hint: 'Retry; check the Ollama server log.' });
  }
  // What is left is the client's plain Error for an `{"error": …}` line in the middle of a stream.
  if (e instanceof Error) return new BackendError('server', `Ollama reported an error mid-answer: ${e.message}`, { cause: e, hint: 'See the Ollama server log; retry in a moment.' });
  return new BackendError('server', `Unexpected failure talking to Ollama: ${errorMessage(e)}`, { cause: e });
}

function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
