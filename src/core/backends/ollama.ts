import { Ollama, type ChatResponse, type ModelResponse } from 'ollama';
import { estimateTokens } from '../context/tokens';
import type { Usage } from '../cost/usage';
import { modelProblem } from '../names';
import type { AnswerPart } from '../transcript';
import { current, type Backend, type BackendSession, type Live, type SessionInit, type TurnInput, type TurnOutput, type TurnSink } from './backend';
import { toChatMessages } from './messages';
import { BackendError } from '../errors';
import { checkOllamaHost, classifyOllamaError, DEFAULT_OLLAMA_HOST, ollamaFetch } from './ollamaWire';
import { DEFAULT_IDLE_TIMEOUT_MS, IdleWatchdog } from './watchdog';

/** /api/show reads model metadata only; a server that takes longer than this is not going to answer. */
const SHOW_TIMEOUT_MS = 30_000;

export interface OllamaBackendOptions {
  /** The server, e.g. `http://127.0.0.1:11434` or a team's GPU box. Read per request, so a settings change applies at once. */
  host?: Live<string>;
  /**
   * Context length to request (`num_ctx`) instead of the model's own from /api/show: one number for every model,
   * or per model. An instance's `options.numCtx` wins over both.
   */
  numCtx?: Live<number | Readonly<Record<string, number>> | undefined>;
  /** Extra headers for every request, e.g. a reverse proxy's credentials. */
  headers?: Readonly<Record<string, string>>;
  /** A stream that goes this long without a chunk, once it has started, is given up as timed out. */
  idleTimeoutMs?: number;
}

/** A model the server has, as /api/tags lists it. */
export interface OllamaModelInfo {
  readonly name: string;
  readonly sizeBytes: number;
  readonly family?: string;
  readonly parameterSize?: string;
  readonly quantization?: string;
}

/**
 * Ollama through the official `ollama` client. Stateless: the transcript is the context, so forks copy it.
 * Every request carries `num_ctx`, because Ollama's default window (4,096 tokens in most versions) silently
 * drops the front of a longer prompt.
 */
export class OllamaBackend implements Backend {
  readonly kind = 'ollama' as const;
  readonly label = 'Ollama';
  /** The model's own context length, per host and model: /api/show is slow on a cold server, and the value never changes. */
  private readonly contextLengths = new Map<string, Promise<number | undefined>>();

  constructor(private readonly options: OllamaBackendOptions = {}) {}

  get host(): string {
    const host = current(this.options.host);
    return host?.trim() || DEFAULT_OLLAMA_HOST;
  }

  openSession(init: SessionInit): BackendSession {
    return {
      state: undefined,
      runTurn: (input, sink) => this.runTurn(init, input, sink),
      dispose: async () => {},
    };
  }

  /** The server's version from /api/version; fails clearly when the host is not Ollama at all. */
  async version(signal?: AbortSignal): Promise<string> {
    const host = this.host;
    const answer = await this.call(host, signal, (c) => c.version());
    if (typeof answer?.version !== 'string' || answer.version === '') {
      throw new BackendError('bad_request', `The server at ${host} is not Ollama: /api/version answered without a version.`, { hint: 'Check the Ollama host setting.' });
    }
    return answer.version;
  }

  /** The models pulled on the server, from /api/tags. An empty list is a valid answer: the caller decides what it means. */
  async listModels(signal?: AbortSignal): Promise<OllamaModelInfo[]> {
    const host = this.host;
    const answer = await this.call(host, signal, (c) => c.list());
    if (!Array.isArray(answer?.models)) {
      throw new BackendError('bad_request', `The server at ${host} is not Ollama: /api/tags answered without a model list.`, { hint: 'Check the Ollama host setting.' });
    }
    return answer.models.map((m: ModelResponse) => ({
      name: m.name,
      sizeBytes: m.size,
      family: m.details?.family || undefined,
      parameterSize: m.details?.parameter_size || undefined,
      quantization: m.details?.quantization_level || undefined,
    }));
  }

  /**
   * The model's trained context length from /api/show (`model_info["<arch>.context_length"]`), cached; undefined
   * when unreported. The lookup is shared by every instance on the model, so one caller's cancel only stops its
   * own wait; the lookup itself is bounded by a timeout.
   */
  contextLength(model: string, signal?: AbortSignal): Promise<number | undefined> {
    const host = this.host;
    const key = `${host}\n${model}`;
    let known = this.contextLengths.get(key);
    if (!known) {
      known = this.call(host, AbortSignal.timeout(SHOW_TIMEOUT_MS), (c) => c.show({ model }), model).then((info) => readContextLength(info?.model_info));
      // A failure (model missing, server down) is not remembered: the next turn asks again.
      known.catch(() => this.contextLengths.delete(key));
      this.contextLengths.set(key, known);
    }
    return signal ? untilAborted(known, signal) : known;
  }

  private async runTurn(init: SessionInit, input: TurnInput, sink: TurnSink): Promise<TurnOutput> {
    const host = this.host;
    checkOllamaHost(host);
    const problem = modelProblem(init.model);
    if (problem) throw new BackendError('bad_request', problem, { hint: 'Pick a model from `ollama list`.' });
    const numCtx = await this.numCtx(init, input.signal);
    const messages = toChatMessages(init.systemPrompt, input.history);
    if (numCtx !== undefined) {
      const estimate = messages.reduce((n, m) => n + estimateTokens(m.content), 0);
      if (estimate > numCtx) sink.warning?.(`The conversation (about ${estimate} tokens) may not fit ${init.model}'s context of ${numCtx} tokens; Ollama would drop its start.`);
    }

    let final: ChatResponse | undefined;
    let reportedModel: string | undefined;
    let reasoning = '';
    const parts: AnswerPart[] = [];
    const idle = new IdleWatchdog({
      ms: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal: input.signal,
      what: `Ollama at ${host}`,
      hint: 'Retry; check the Ollama server log.',
      watchFirstEvent: false,
    });
    try {
      const client = this.client(host, idle.signal, true);
      const stream = await client.chat({ model: init.model, messages, stream: true, ...(numCtx !== undefined ? { options: { num_ctx: numCtx } } : {}) });
      for await (const chunk of stream) {
        idle.touch();
        if (reportedModel === undefined && chunk.model) sink.model?.((reportedModel = chunk.model));
        const m = chunk.message;
        if (m?.content) sink.delta(m.content);
        if (m?.thinking) reasoning += m.thinking;
        for (const call of m?.tool_calls ?? []) parts.push({ kind: 'tool_call', name: call.function.name, text: JSON.stringify(call.function.arguments ?? {}) });
        if (chunk.done) final = chunk;
      }
    } catch (e) {
      throw idle.expired ? idle.error() : classifyOllamaError(e, { host, model: init.model, signal: input.signal });
    } finally {
      idle.dispose();
    }
    if (idle.expired) throw idle.error();
    if (input.signal.aborted) throw new BackendError('cancelled', 'Cancelled.');
    // The client throws when the stream ends without `done`; this guards a loop left some other way.
    if (!final) throw new BackendError('network', `Ollama at ${host} ended the answer early.`);
    const usage: Usage = { input: final.prompt_eval_count ?? 0, output: final.eval_count ?? 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, model: reportedModel ?? init.model };
    if (numCtx !== undefined && usage.input >= numCtx) sink.warning?.(`The prompt filled ${init.model}'s whole context (${numCtx} tokens); Ollama may have dropped the start of the conversation.`);
    if (final.done_reason === 'length') sink.warning?.('The answer stopped at the token limit.');
    if (reasoning) parts.unshift({ kind: 'reasoning', text: reasoning });
    return { usage, stopReason: final.done_reason || undefined, ...(parts.length ? { parts } : {}) };
  }

  /** The instance's setting, else the backend's setting, else the model's own length (undefined when unreported). */
  private async numCtx(init: SessionInit, signal: AbortSignal): Promise<number | undefined> {
    const own = positiveInteger(init.options.numCtx);
    if (own) return own;
    const configured = current(this.options.numCtx);
    const setting = typeof configured === 'number' ? configured : configured?.[init.model];
    if (positiveInteger(setting)) return setting;
    return this.contextLength(init.model, signal);
  }

  /** One client per request: `Ollama.abort()` aborts every stream on an instance, and its own abort starts only after the headers. */
  private client(host: string, signal: AbortSignal | undefined, validateLines: boolean): Ollama {
    return new Ollama({ host, fetch: ollamaFetch({ signal, validateLines }), ...(this.options.headers ? { headers: { ...this.options.headers } } : {}) });
  }

  private async call<T>(host: string, signal: AbortSignal | undefined, request: (client: Ollama) => Promise<T>, model?: string): Promise<T> {
    checkOllamaHost(host);
    try {
      return await request(this.client(host, signal, false));
    } catch (e) {
      throw classifyOllamaError(e, { host, model, signal });
    }
  }
}

/** Settles with `promise`, or rejects as cancelled as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new BackendError('cancelled', 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new BackendError('cancelled', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** `model_info` is a plain object at runtime though typed as a Map; the key is `<architecture>.context_length`. */
function readContextLength(info: unknown): number | undefined {
  if (!info || typeof info !== 'object') return undefined;
  const entries = info instanceof Map ? [...info.entries()] : Object.entries(info);
  const found = entries.find(([k, v]) => typeof k === 'string' && k.endsWith('.context_length') && positiveInteger(v));
  return found ? (found[1] as number) : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
