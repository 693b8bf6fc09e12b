import OpenAI from 'openai';
import { CHARS_PER_TOKEN, estimateTokens } from '../context/tokens';
import type { Usage } from '../cost/usage';
import { modelProblem } from '../names';
import type { AnswerPart } from '../transcript';
import { current, type Backend, type BackendSession, type Live, type SessionInit, type TurnInput, type TurnOutput, type TurnSink } from './backend';
import { toChatMessages } from './messages';
import { BackendError } from '../errors';
import { classifyOpenAiError, openAiBaseUrlProblem, rejectWebPages } from './openaiWire';
import { DEFAULT_IDLE_TIMEOUT_MS, IdleWatchdog } from './watchdog';

export interface OpenAiBackendOptions {
  /** The server's API root, e.g. `http://127.0.0.1:1234/v1` (LM Studio) or a LiteLLM proxy. An instance's `options.baseURL` wins. */
  baseURL: Live<string>;
  /** The key for a server, from SecretStorage; undefined for servers that need none (no Authorization header is sent). */
  getApiKey?(baseURL: string): Promise<string | undefined>;
  /** Human name shown in the UI, e.g. "LM Studio". */
  label?: string;
  /** SDK-level retries of 429/5xx with Retry-After honoured; read per request. The fallback chain may set 0 and own retries. */
  maxRetries?: Live<number>;
  /** Time allowed for the response headers (the SDK's timeout). */
  timeoutMs?: number;
  /** A stream that goes this long without a chunk, once it has started, is given up as timed out. */
  idleTimeoutMs?: number;
  /** Sent as `max_tokens` when set; otherwise the server's default applies. */
  maxTokens?: number;
}

/** The usage chunk's fields we read; servers other than OpenAI's may leave any of them out. */
interface ReportedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** A model as /v1/models lists it. */
export interface OpenAiModelInfo {
  readonly id: string;
  readonly ownedBy?: string;
}

/**
 * Any OpenAI-compatible chat completions server, through the official `openai` client. Stateless: the transcript
 * is the context, so forks copy it. Prices are not in the table: set them per model in the pricing overrides.
 */
export class OpenAiBackend implements Backend {
  readonly kind = 'openai' as const;
  readonly label: string;
  private client: { key: string; sdk: OpenAI } | undefined;

  constructor(private readonly options: OpenAiBackendOptions) {
    this.label = options.label ?? 'OpenAI-compatible';
  }

  get baseURL(): string {
    return current(this.options.baseURL).trim();
  }

  openSession(init: SessionInit): BackendSession {
    return {
      state: undefined,
      runTurn: (input, sink) => this.runTurn(init, input, sink),
      dispose: async () => {},
    };
  }

  /** The models the server offers, from /v1/models. An empty list is a valid answer: the caller decides what it means. */
  async listModels(signal?: AbortSignal, baseURL = this.baseURL): Promise<OpenAiModelInfo[]> {
    const sdk = await this.sdk(baseURL);
    try {
      const page = await sdk.models.list({ signal });
      const data: unknown = (page as unknown as { data?: unknown }).data;
      if (!Array.isArray(data)) throw new BackendError('bad_request', `The server at ${baseURL} is not OpenAI-compatible: /models answered without a model list.`, { hint: 'Check the base URL (it usually ends in /v1).' });
      return data.filter((m) => typeof m?.id === 'string').map((m) => ({ id: m.id, ownedBy: m.owned_by || undefined }));
    } catch (e) {
      throw classifyOpenAiError(e, { baseURL, signal });
    }
  }

  private async sdk(baseURL: string): Promise<OpenAI> {
    const problem = openAiBaseUrlProblem(baseURL);
    if (problem) throw new BackendError('bad_request', problem, { hint: 'Set the base URL to the API root, e.g. http://127.0.0.1:1234/v1.' });
    const key = (await this.options.getApiKey?.(baseURL)) ?? '';
    const maxRetries = current(this.options.maxRetries ?? 2);
    const id = `${baseURL}\n${key}\n${maxRetries}`;
    if (this.client?.key !== id) {
      const sdk = new OpenAI({
        // The SDK insists on a key; a keyless local server gets none: the null header below removes it.
        apiKey: key || 'unused',
        ...(key ? {} : { defaultHeaders: { Authorization: null } }),
        baseURL,
        maxRetries,
        timeout: this.options.timeoutMs ?? 600_000,
        fetch: rejectWebPages,
        logLevel: 'off',
      });
      this.client = { key: id, sdk };
    }
    return this.client.sdk;
  }

  private async runTurn(init: SessionInit, input: TurnInput, sink: TurnSink): Promise<TurnOutput> {
    const problem = modelProblem(init.model);
    if (problem) throw new BackendError('bad_request', problem, { hint: 'Pick a model from the server’s /v1/models list.' });
    const own = init.options.baseURL;
    const baseURL = typeof own === 'string' && own.trim() ? own.trim() : this.baseURL;
    const sdk = await this.sdk(baseURL);
    const messages = toChatMessages(init.systemPrompt, input.history);
    let reported: ReportedUsage | undefined;
    let finish: string | undefined;
    let model: string | undefined;
    let reasoning = '';
    let text = 0;
    const calls: Array<{ name: string; args: string }> = [];
    const idle = new IdleWatchdog({
      ms: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal: input.signal,
      what: `The stream from ${baseURL}`,
      hint: 'Retry; check the server or proxy log.',
      watchFirstEvent: false,
    });
    try {
      const stream = await sdk.chat.completions.create(
        { model: init.model, messages, stream: true, stream_options: { include_usage: true }, ...(this.options.maxTokens ? { max_tokens: this.options.maxTokens } : {}) },
        { signal: idle.signal, ...(input.sdkRetries !== undefined ? { maxRetries: input.sdkRetries } : {}) },
      );
      for await (const chunk of stream) {
        idle.touch();
        if (model === undefined && chunk.model) sink.model?.((model = chunk.model));
        if (chunk.usage) reported = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        // vLLM, llama.cpp and DeepSeek stream reasoning beside the content under one of these names.
        const d = choice.delta as typeof choice.delta & { reasoning_content?: string | null; reasoning?: string | null };
        if (d?.content) {
          text += d.content.length;
          sink.delta(d.content);
        }
        reasoning += d?.reasoning_content ?? d?.reasoning ?? '';
        for (const t of d?.tool_calls ?? []) {
          const call = (calls[t.index] ??= { name: '', args: '' });
          call.name += t.function?.name ?? '';
          call.args += t.function?.arguments ?? '';
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    } catch (e) {
      throw idle.expired ? idle.error() : classifyOpenAiError(e, { baseURL, model: init.model, signal: input.signal });
    } finally {
      idle.dispose();
    }
    // The SDK ends the loop quietly when aborted; a stream that just stops is a dropped connection.
    if (idle.expired) throw idle.error();
    if (input.signal.aborted) throw new BackendError('cancelled', 'Cancelled.');
    if (!finish) throw new BackendError('network', `The connection to ${baseURL} closed before the answer was complete.`, { hint: 'Retry; check the server or proxy log.' });
    if (finish === 'length') sink.warning?.('The answer stopped at the token limit.');
    if (finish === 'content_filter') sink.warning?.('The server withheld part of the answer (content filter).');
    const parts: AnswerPart[] = [...(reasoning ? [{ kind: 'reasoning' as const, text: reasoning }] : []), ...calls.filter(Boolean).map((c) => ({ kind: 'tool_call' as const, name: c.name, text: c.args }))];
    return { usage: this.usage(reported, model ?? init.model, messages, text, sink), stopReason: finish, ...(parts.length ? { parts } : {}) };
  }

  /**
   * OpenAI's `prompt_tokens` includes the cached tokens, ours excludes them, so cached tokens move to `cacheRead`
   * and are billed once. A server that ignores `include_usage` gets an estimate and a warning, not a silent zero.
   */
  private usage(reported: ReportedUsage | undefined, model: string, messages: ReadonlyArray<{ content: string }>, textLength: number, sink: TurnSink): Usage {
    if (!reported) {
      sink.warning?.('The server did not report token usage; the counts for this answer are estimates.');
      const input = messages.reduce((n, m) => n + estimateTokens(m.content), 0);
      return { input, output: Math.ceil(textLength / CHARS_PER_TOKEN), cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, model };
    }
    const prompt = reported.prompt_tokens ?? 0;
    const cached = Math.min(prompt, reported.prompt_tokens_details?.cached_tokens ?? 0);
    return { input: prompt - cached, output: reported.completion_tokens ?? 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: cached, model };
  }
}
