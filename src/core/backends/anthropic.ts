import Anthropic from '@anthropic-ai/sdk';
import type { BetaContextManagementConfig, MessageCreateParamsStreaming as BetaMessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { MessageCreateParamsStreaming, MessageParam, RawMessageStreamEvent, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { anthropicCountEndpoint } from '../context/anthropicCount';
import { estimateTokens, type CountRequest } from '../context/tokens';
import { DEFAULT_MIN_CACHEABLE_TOKENS, findPrice, type PriceTable } from '../cost/prices';
import { ANTHROPIC_PRICES } from '../cost/prices';
import type { Usage } from '../cost/usage';
import type { Message } from '../transcript';
import { current, type ApiContextManagement, type Backend, type BackendSession, type Live, type SessionInit, type TurnInput, type TurnOutput, type TurnSink } from './backend';
import { BackendError, errorMessage, isAbortError, kindForStatus, parseRetryAfter, withPartial, type StatusOverrides } from '../errors';
import { normaliseTurns } from './messages';
import { addCompactionUsage, COMPACT_BETA, compactEdit, compactionSupported, compactionUnsupportedReason, CompactionReader, countedMessages, withCompactionBlock } from './anthropicCompaction';
import { DEFAULT_IDLE_TIMEOUT_MS, IdleWatchdog } from './watchdog';

export interface AnthropicBackendOptions {
  /** Resolved per request, so a key set while the window is open takes effect at once. */
  getApiKey(): Promise<string | undefined>;
  /** A proxy or gateway; read per request, so a changed setting applies at once. */
  baseURL?: Live<string | undefined>;
  /** SDK-level retries of 429/5xx with Retry-After honoured. The fallback chain may set 0 and own retries. */
  maxRetries?: Live<number>;
  /** Time allowed for the response headers (the SDK's timeout). */
  timeoutMs?: number;
  /** A stream that goes this long without an event is given up as timed out. */
  idleTimeoutMs?: number;
  maxTokens?: number;
  prices?: PriceTable;
}

const DEFAULT_MAX_TOKENS = 8192;

/** The Anthropic Messages API with the official SDK. Stateless: the transcript is the context, so forks copy it. */
export class AnthropicBackend implements Backend {
  readonly kind = 'anthropic' as const;
  readonly label = 'Anthropic API';
  private client: { key: string; baseURL: string | undefined; maxRetries: number; sdk: Anthropic } | undefined;

  constructor(private readonly options: AnthropicBackendOptions) {}

  openSession(init: SessionInit): BackendSession {
    return {
      state: undefined,
      runTurn: (input, sink) => this.runTurn(init, input, sink),
      dispose: async () => {},
    };
  }

  /** Model ids the API offers (newest first), for pickers. Throws a classified error when it can't list them. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const page = await (await this.sdk()).models.list({ limit: 100 }, { signal });
      return page.data.map((m) => m.id);
    } catch (e) {
      throw classifyAnthropicError(e, signal);
    }
  }

  /**
   * Claude's count_tokens for a prompt (the budget stage's close calls: cost/budgetCount.ts), on this backend's own
   * client (its key and base URL), in one try (no retries: the caller waits only a short timeout) under the caller's
   * signal. `undefined` when no key is set: nothing can count here. Throws a classified error when the count fails.
   */
  async countTokens(request: CountRequest, signal: AbortSignal): Promise<number | undefined> {
    const key = await this.options.getApiKey();
    if (!key) return undefined;
    try {
      return await anthropicCountEndpoint(await this.sdk(key), { maxRetries: 0 })(request, signal);
    } catch (e) {
      throw classifyAnthropicError(e, signal);
    }
  }

  /** The SDK client for the current key (read here unless the caller just read it), base URL and retries. */
  private async sdk(knownKey?: string): Promise<Anthropic> {
    const key = knownKey ?? (await this.options.getApiKey());
    if (!key) {
      throw new BackendError('auth', 'No Anthropic API key is set.', {
        hint: 'Set one with "LLM Fleet: Set API Key…" or the ANTHROPIC_API_KEY environment variable.',
      });
    }
    const baseURL = current(this.options.baseURL) || undefined;
    const maxRetries = current(this.options.maxRetries) ?? 2;
    if (this.client?.key !== key || this.client.baseURL !== baseURL || this.client.maxRetries !== maxRetries) {
      const sdk = new Anthropic({
        apiKey: key,
        baseURL,
        maxRetries,
        timeout: this.options.timeoutMs ?? 600_000,
        logLevel: 'off',
      });
      this.client = { key, baseURL, maxRetries, sdk };
    }
    return this.client.sdk;
  }

  private async runTurn(init: SessionInit, input: TurnInput, sink: TurnSink): Promise<TurnOutput> {
    const sdk = await this.sdk();
    // The compression stage asks for compaction only on the models the docs list; any other caller is held to it too.
    const asked = input.contextManagement;
    const contextManagement = asked?.compactTriggerTokens !== undefined && !compactionSupported(init.model) ? { ...asked, compactTriggerTokens: undefined } : asked;
    if (contextManagement !== asked) sink.note?.(`no API compaction: ${compactionUnsupportedReason(init.model)}`);
    const compacting = contextManagement?.compactTriggerTokens !== undefined;
    const params = buildRequest(init, input.history, this.options.maxTokens ?? DEFAULT_MAX_TOKENS, this.options.prices ?? ANTHROPIC_PRICES, compacting);
    const compaction = new CompactionReader(countedMessages(input.history));
    const usage: Usage = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
    let stopReason: string | undefined;
    let finished = false;
    const idle = new IdleWatchdog({
      ms: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal: input.signal,
      what: 'The Anthropic API stream',
      hint: 'Retry; the provider may be overloaded.',
      // The API opens the stream with message_start before it generates anything, so a wait for it is watched too.
      watchFirstEvent: true,
    });
    try {
      const options = { signal: idle.signal, ...(input.sdkRetries !== undefined ? { maxRetries: input.sdkRetries } : {}) };
      const stream = contextManagement ? await managedStream(sdk, params, contextManagement, options) : await sdk.messages.create(params, options);
      for await (const event of stream) {
        idle.touch();
        // The compaction block opens the answer: kept for the next request, noted, never shown as text.
        if (compacting && compaction.event(event, (t) => sink.note?.(t))) continue;
        switch (event.type) {
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') sink.delta(event.delta.text);
            break;
          case 'message_start': {
            const u = event.message.usage;
            usage.model = event.message.model;
            sink.model?.(event.message.model);
            usage.input = u.input_tokens ?? 0;
            usage.cacheRead = u.cache_read_input_tokens ?? 0;
            // Without the 5m/1h split the write used the default TTL, which is 5 minutes.
            usage.cacheWrite5m = u.cache_creation?.ephemeral_5m_input_tokens ?? u.cache_creation_input_tokens ?? 0;
            usage.cacheWrite1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
            usage.output = u.output_tokens ?? 0;
            break;
          }
          case 'message_delta': {
            reportEdits((event as { context_management?: unknown }).context_management, sink);
            // The delta's usage is cumulative (SDK: `MessageDeltaUsage`) and, where given, supersedes message_start's,
            // as the SDK's own stream takes it: a compacting answer knows its effective input only at the end.
            const d = event.usage as { input_tokens?: number | null; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null };
            if (d.input_tokens != null) usage.input = d.input_tokens;
            if (d.cache_read_input_tokens != null) usage.cacheRead = d.cache_read_input_tokens;
            if (d.cache_creation_input_tokens != null && d.cache_creation_input_tokens !== usage.cacheWrite5m + usage.cacheWrite1h) {
              usage.cacheWrite5m = Math.max(0, d.cache_creation_input_tokens - usage.cacheWrite1h);
            }
            usage.output = event.usage.output_tokens ?? usage.output;
            addCompactionUsage(usage, (event.usage as { iterations?: unknown }).iterations);
            stopReason = event.delta.stop_reason ?? stopReason;
            break;
          }
          case 'message_stop':
            finished = true;
            break;
        }
      }
    } catch (e) {
      throw billedSoFar(idle.expired ? idle.error() : classifyAnthropicError(e, input.signal), usage);
    } finally {
      idle.dispose();
    }
    // The SDK ends the loop quietly when aborted; a stream that just stops is a dropped connection.
    if (idle.expired) throw billedSoFar(idle.error(), usage);
    if (input.signal.aborted) throw billedSoFar(new BackendError('cancelled', 'Cancelled.'), usage);
    if (!finished) throw billedSoFar(new BackendError('network', 'The connection closed before the answer was complete.'), usage);
    if (stopReason === 'refusal') sink.warning?.('The model declined to answer.');
    const apiCompaction = compaction.result;
    return { usage, stopReason, ...(apiCompaction ? { apiCompaction } : {}) };
  }
}

/**
 * Builds the request, with prompt caching where it can pay: the system prompt is marked when it alone reaches the
 * model's minimum cacheable length, and a rolling breakpoint sits on the last message once the whole prefix does.
 */
export function buildRequest(init: SessionInit, history: readonly Message[], maxTokens: number, prices: PriceTable, compaction = false): MessageCreateParamsStreaming {
  const minimum = findPrice(prices, init.model)?.minCacheableTokens ?? DEFAULT_MIN_CACHEABLE_TOKENS;
  // The compaction block goes back only with compaction on (the beta endpoint); otherwise the whole text is sent.
  const messages = compaction ? (withCompactionBlock(history, toApiMessages(history)) as MessageParam[]) : toApiMessages(history);
  const systemTokens = init.systemPrompt ? estimateTokens(init.systemPrompt) : 0;
  const system: TextBlockParam[] | undefined = init.systemPrompt
    ? [{ type: 'text', text: init.systemPrompt, ...(systemTokens >= minimum ? { cache_control: { type: 'ephemeral' } } : {}) }]
    : undefined;
  const textOf = (m: MessageParam) => (m.content as Array<{ type: string; text?: string; content?: string | null }>).map((b) => b.text ?? b.content ?? '').join('');
  const prefixTokens = systemTokens + messages.reduce((n, m) => n + estimateTokens(textOf(m)), 0);
  if (prefixTokens >= minimum && messages.length > 0) {
    const last = messages[messages.length - 1].content as TextBlockParam[];
    last[last.length - 1] = { ...last[last.length - 1], cache_control: { type: 'ephemeral' } };
  }
  return { model: init.model, max_tokens: maxTokens, messages, ...(system ? { system } : {}), stream: true };
}

/**
 * The beta flag tool-result clearing needs (docs: build-with-claude/context-editing.md, "Server-side strategies";
 * available on all supported models, "Supported models"). Compaction needs its own, COMPACT_BETA.
 */
export const CONTEXT_MANAGEMENT_BETA = 'context-management-2025-06-27';

/**
 * The API's own context management (the user's choice, `llmFleet.compression.anthropicMode: api`): clears old tool
 * results, and with a compaction trigger also compacts the context on the server (./anthropicCompaction.ts).
 * `pause_after_compaction` stays at its default, false (compaction.md, "Parameters"): the API goes on with the answer
 * after the block in the same response, so the `compaction` stop reason (which only a pause brings) never comes;
 * `instructions` stay unset, so the API's default summary prompt is used.
 */
export function contextManagementParam(c: ApiContextManagement): { context_management: BetaContextManagementConfig } {
  return {
    context_management: {
      edits: [
        { type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: c.triggerTokens }, keep: { type: 'tool_uses', value: c.keepToolUses } },
        ...(c.compactTriggerTokens !== undefined ? [compactEdit(c.compactTriggerTokens)] : []),
      ],
    },
  };
}

/** The same request through the beta endpoint, which takes `context_management`; its stream has the same events. */
async function managedStream(sdk: Anthropic, params: MessageCreateParamsStreaming, c: ApiContextManagement, options: { signal: AbortSignal; maxRetries?: number }): Promise<AsyncIterable<RawMessageStreamEvent>> {
  const betas = [CONTEXT_MANAGEMENT_BETA, ...(c.compactTriggerTokens !== undefined ? [COMPACT_BETA] : [])];
  const stream = await sdk.beta.messages.create({ ...(params as BetaMessageCreateParamsStreaming), ...contextManagementParam(c), betas }, options);
  return stream as unknown as AsyncIterable<RawMessageStreamEvent>;
}

/** What the API says it cleared, shown on the answer. */
function reportEdits(value: unknown, sink: TurnSink): void {
  const edits = (value as { applied_edits?: Array<{ type?: string; cleared_tool_uses?: number; cleared_input_tokens?: number }> } | null | undefined)?.applied_edits;
  for (const e of edits ?? []) {
    if (e.type === 'clear_tool_uses_20250919') sink.note?.(`the Anthropic API cleared ${e.cleared_tool_uses ?? 0} old tool result(s), ${e.cleared_input_tokens ?? 0} tokens`);
  }
}

/** The conversation (see `normaliseTurns`) as the API's messages, one text block each. */
export function toApiMessages(history: readonly Message[]): MessageParam[] {
  return normaliseTurns(history).map((t) => ({ role: t.role, content: [{ type: 'text', text: t.text }] }));
}

/**
 * The API's statuses where they differ from the shared ladder; Claude Code reports the same ones. 529 is the API's
 * own "overloaded"; 413 is a request over the size limit, which for a text-only transcript means a long one.
 */
export const ANTHROPIC_STATUSES: StatusOverrides = { 413: 'context_overflow', 529: 'overloaded' };

/**
 * A stream that ended after message_start (cancelled, dropped, an error event, gone idle) was billed for its prompt
 * (and the output so far, which the API reports only at the end): the usage it reported goes with the error, for
 * the ledger, so no spend vanishes with a failure.
 */
function billedSoFar(e: BackendError, usage: Usage): BackendError {
  return usage.model !== undefined && !e.usage ? withPartial(e, { usage: { ...usage } }) : e;
}

/** Maps whatever the SDK threw to the error taxonomy, once, here at the edge. */
export function classifyAnthropicError(e: unknown, signal?: AbortSignal): BackendError {
  if (e instanceof BackendError) return e;
  if (signal?.aborted || isAbortError(e)) return new BackendError('cancelled', 'Cancelled.', { cause: e });
  if (e instanceof Anthropic.APIConnectionTimeoutError) {
    return new BackendError('timeout', 'The Anthropic API did not answer in time.', { cause: e, hint: 'Try again, or raise the request timeout.' });
  }
  if (e instanceof Anthropic.APIConnectionError) {
    return new BackendError('network', `Could not reach the Anthropic API: ${errorMessage(e.cause ?? e)}.`, { cause: e, hint: 'Check the network and the API base URL.' });
  }
  if (e instanceof Anthropic.APIError) {
    const status = typeof e.status === 'number' ? e.status : undefined;
    const type = (e.error as { error?: { type?: string; message?: string } } | undefined)?.error;
    const detail = type?.message ?? e.message;
    const retryAfterMs = e.headers ? parseRetryAfter((n) => e.headers?.get(n)) : undefined;
    const init = { status, retryAfterMs, cause: e };
    // The body's error type backs up the status, so a gateway that rewrites the status still classifies right.
    const kind = kindForStatus(status, ANTHROPIC_STATUSES);
    if (kind === 'rate_limited' || type?.type === 'rate_limit_error') return new BackendError('rate_limited', `Rate limited by the Anthropic API: ${detail}`, { ...init, hint: 'Wait and retry, or use another backend.' });
    if (kind === 'overloaded' || type?.type === 'overloaded_error') return new BackendError('overloaded', `The Anthropic API is overloaded: ${detail}`, { ...init, hint: 'Retry in a moment.' });
    if (kind === 'auth' || type?.type === 'authentication_error' || type?.type === 'permission_error') {
      return new BackendError('auth', `The Anthropic API refused the key: ${detail}`, { ...init, hint: 'Check the key with "LLM Fleet: Set API Key…".' });
    }
    if (kind === 'not_found' || type?.type === 'not_found_error') return new BackendError('not_found', `Not found: ${detail}`, { ...init, hint: 'Check the model name.' });
    if (kind === 'context_overflow' || /prompt is too long|context window|too many tokens/i.test(detail)) {
      return new BackendError('context_overflow', `The conversation is too long for the model: ${detail}`, { ...init, hint: 'Fork from an earlier message, or compress the context.' });
    }
    if (kind === 'timeout') return new BackendError('timeout', `The Anthropic API timed out: ${detail}`, init);
    if (kind === 'bad_request') return new BackendError('bad_request', `The Anthropic API rejected the request: ${detail}`, init);
    return new BackendError('server', `The Anthropic API failed: ${detail}`, { ...init, hint: 'Retry in a moment.' });
  }
  if (e instanceof SyntaxError) return new BackendError('server', `The server sent a malformed stream event: ${e.message}`, { cause: e });
  if (e instanceof TypeError && /terminated|socket|fetch failed/i.test(e.message)) {
    return new BackendError('network', `The connection to the Anthropic API dropped: ${errorMessage((e as { cause?: unknown }).cause ?? e)}.`, { cause: e });
  }
  return new BackendError('server', `Unexpected failure talking to the Anthropic API: ${errorMessage(e)}`, { cause: e });
}
