/**
 * Reads the stdout lines of one Claude Code turn (`system/init` … `result`) into deltas, answer parts, usage and the
 * outcome. Pure bookkeeping: it never touches the process, so the session decides what a failure does to it.
 */
import { promptTokens, type Usage } from '../cost/usage';
import type { AnswerPart } from '../transcript';
import type { TurnOutput, TurnSink } from './backend';
import { classifyResult, type ResultLine } from './claudeCodeErrors';
import { BackendError } from '../errors';

type Json = Record<string, any>;

/** How the turn ended, once its `result` line arrived. */
export type TurnOutcome = { readonly ok: true; readonly output: TurnOutput } | { readonly ok: false; readonly error: BackendError };

export class TurnReader {
  /** The session id from this turn's `init`; set only once the CLI has really started the turn. */
  sessionId: string | undefined;
  /** The CLI's cumulative session cost after this turn; the next turn's cost is measured from it. */
  totalCostUsd: number | undefined;
  /** The uuid of the last assistant line of the main conversation: where a later fork can cut. */
  lastAssistantUuid: string | undefined;
  private model: string | undefined;
  private readonly parts: AnswerPart[] = [];
  private readonly toolNames = new Map<string, string>();
  private readonly streamedMessages = new Set<string>();
  /** API messages the CLI completed (an `assistant` line came); a streamed one that never completes was dropped. */
  private readonly confirmedMessages = new Set<string>();
  private currentMessage: string | undefined;
  private wroteText = false;
  private needsSeparator = false;
  private retryDelayMs: number | undefined;
  private garbageLine: string | undefined;
  interrupted = false;
  /** Any stdout line arrived for this turn (so the prompt reached a live CLI). */
  heardAnything = false;

  constructor(
    private readonly sink: TurnSink,
    /** The session's cumulative cost before this turn (the CLI's `total_cost_usd` counts the whole session). */
    private readonly costBefore: number,
  ) {}

  /** A stdout line that is not JSON: the turn will fail with it once its `result` arrives (the process stays in step). */
  garbage(text: string): void {
    this.heardAnything = true;
    this.garbageLine ??= text;
  }

  /** A warning that belongs to this turn (e.g. from the CLI's stderr). */
  warn(text: string): void {
    this.sink.warning?.(text);
  }

  /** Takes one stdout line; returns the outcome when the line was the turn's `result`. */
  line(m: Json): TurnOutcome | undefined {
    this.heardAnything = true;
    switch (m.type) {
      case 'system':
        this.system(m);
        return undefined;
      case 'stream_event':
        if (m.parent_tool_use_id == null) this.streamEvent(m.event ?? {});
        return undefined;
      case 'assistant':
        if (m.parent_tool_use_id == null) this.assistant(m);
        return undefined;
      case 'user':
        if (m.parent_tool_use_id == null && !m.isReplay) this.toolResults(m.message?.content);
        return undefined;
      case 'result':
        return this.result(m);
      default:
        // control_response, keep_alive and whatever later versions add: nothing for the answer.
        return undefined;
    }
  }

  private system(m: Json): void {
    if (m.subtype === 'init') {
      if (typeof m.session_id === 'string') this.sessionId = m.session_id;
      if (typeof m.model === 'string' && m.model) {
        this.model = m.model;
        this.sink.model?.(m.model);
      }
    } else if (m.subtype === 'api_retry') {
      if (typeof m.retry_delay_ms === 'number') this.retryDelayMs = m.retry_delay_ms;
    } else if (m.subtype === 'compact_boundary') {
      // The CLI compacts its own context (auto near its window, or on /compact); shown, never second-guessed.
      this.sink.note?.(compactionNote(m.compact_metadata));
    } else if (m.subtype === 'permission_denied') {
      this.sink.warning?.(`Claude Code was not allowed to use ${m.tool_name ?? 'a tool'}: ${m.message ?? 'permission denied'}. Allow it with the permissionMode or allowedTools options.`);
    }
  }

  private streamEvent(e: Json): void {
    if (e.type === 'message_start') {
      if (this.currentMessage && this.streamedMessages.has(this.currentMessage) && !this.confirmedMessages.has(this.currentMessage)) {
        // The sink cannot take text back, so the reader is told rather than left to wonder at the repeat.
        this.sink.warning?.('The connection dropped mid-answer and Claude Code asked again; the text before the break is from the dropped attempt.');
      }
      this.currentMessage = e.message?.id;
      // Text after a tool call is a new paragraph, not a continuation of the words before it.
      if (this.wroteText) this.needsSeparator = true;
    } else if (e.type === 'content_block_delta' && e.delta?.type === 'text_delta' && typeof e.delta.text === 'string') {
      if (this.currentMessage) this.streamedMessages.add(this.currentMessage);
      this.text(e.delta.text);
    }
  }

  private assistant(m: Json): void {
    const message = m.message ?? {};
    // The CLI's synthetic error message is not a place in the conversation worth forking at.
    if (typeof m.uuid === 'string' && message.model !== '<synthetic>') this.lastAssistantUuid = m.uuid;
    const content: Json[] = Array.isArray(message.content) ? message.content : [];
    const streamed = typeof message.id === 'string' && this.streamedMessages.has(message.id);
    if (typeof message.id === 'string') this.confirmedMessages.add(message.id);
    for (const block of content) {
      if (block.type === 'text' && !streamed && message.model !== '<synthetic>' && typeof block.text === 'string') {
        // A non-streaming fallback request (after dropped connections) brings its text only here.
        if (this.wroteText) this.needsSeparator = true;
        this.text(block.text);
      } else if (block.type === 'tool_use') {
        if (typeof block.id === 'string') this.toolNames.set(block.id, block.name);
        this.parts.push({ kind: 'tool_call', name: block.name, text: JSON.stringify(block.input ?? {}) });
      } else if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) {
        this.parts.push({ kind: 'reasoning', text: block.thinking });
      }
    }
  }

  private toolResults(content: unknown): void {
    if (!Array.isArray(content)) return;
    for (const block of content as Json[]) {
      if (block.type !== 'tool_result') continue;
      const text = typeof block.content === 'string' ? block.content : Array.isArray(block.content) ? block.content.map((c: Json) => c.text ?? '').join('') : '';
      this.parts.push({ kind: 'tool_result', name: this.toolNames.get(block.tool_use_id), text });
    }
  }

  private text(t: string): void {
    if (t.length === 0) return;
    if (this.needsSeparator) {
      this.sink.delta('\n\n');
      this.needsSeparator = false;
    }
    this.wroteText = true;
    this.sink.delta(t);
  }

  private result(m: Json): TurnOutcome {
    const total = typeof m.total_cost_usd === 'number' ? m.total_cost_usd : undefined;
    this.totalCostUsd = total;
    if (this.garbageLine !== undefined) {
      return {
        ok: false,
        error: new BackendError('server', `Claude Code printed a line that is not JSON: ${JSON.stringify(this.garbageLine.slice(0, 200))}`, {
          hint: "Check that 'llmFleet.claudeCode.path' names the claude binary itself, not a wrapper that prints to stdout.",
        }),
      };
    }
    if (m.is_error === true || m.terminal_reason === 'aborted_streaming') {
      if (this.interrupted || m.terminal_reason === 'aborted_streaming') {
        // An interrupted turn was billed for what it did: its result says how much, and the ledger keeps it.
        const billed = this.usage(m.usage ?? {}, total);
        const charged = promptTokens(billed) + billed.output > 0 || (billed.reportedCostUsd ?? 0) > 0;
        return { ok: false, error: new BackendError('cancelled', 'Cancelled.', charged ? { usage: billed } : {}) };
      }
      const error = classifyResult(m as ResultLine, this.retryDelayMs);
      if (error.kind !== 'budget_exceeded') return { ok: false, error };
      // The turn that crossed the CLI's spending stop was answered and billed (its share of the running total): a
      // stop for the cap's reason that keeps the answer, and its cost. A turn refused outright cost nothing.
      // Its `usage` reads zero there; `model_usage_since_last_result` has the turn's tokens, per model.
      const billed = this.usage(isZero(m.usage) ? sinceLastResult(m.model_usage_since_last_result) ?? m.usage ?? {} : m.usage, total);
      const charged = (billed.reportedCostUsd ?? 0) > 0;
      return { ok: false, error: charged ? new BackendError(error.kind, error.message, { hint: error.hint, usage: billed, stopped: true }) : error };
    }
    return { ok: true, output: { usage: this.usage(m.usage ?? {}, total), stopReason: m.stop_reason ?? undefined, backendMessageId: this.lastAssistantUuid, ...(this.parts.length ? { parts: this.parts } : {}) } };
  }

  private usage(u: Json, total: number | undefined): Usage {
    const split = u.cache_creation;
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    // The CLI always sends the split, zeros included; a zero split beside a non-zero total means the total is all there is.
    const hasSplit = split && n(split.ephemeral_5m_input_tokens) + n(split.ephemeral_1h_input_tokens) > 0;
    // `total_cost_usd` is the session's running total (restored on --resume); this turn's share is the difference.
    const reported = total === undefined ? undefined : total >= this.costBefore ? total - this.costBefore : total;
    return {
      input: n(u.input_tokens),
      output: n(u.output_tokens),
      // Without the 5m/1h split the write used the default TTL, which is 5 minutes.
      cacheWrite5m: hasSplit ? n(split.ephemeral_5m_input_tokens) : n(u.cache_creation_input_tokens),
      cacheWrite1h: hasSplit ? n(split.ephemeral_1h_input_tokens) : 0,
      cacheRead: n(u.cache_read_input_tokens),
      ...(this.model ? { model: this.model } : {}),
      ...(reported === undefined ? {} : { reportedCostUsd: Math.round(reported * 1e9) / 1e9 }),
    };
  }
}

/** "Claude Code compacted its context (auto, 150,000 → 12,000 tokens)", from a `compact_boundary` line's metadata. */
export function compactionNote(meta: unknown): string {
  const m = (meta ?? {}) as { trigger?: unknown; pre_tokens?: unknown; post_tokens?: unknown };
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US') : undefined);
  const tokens = n(m.pre_tokens) ? `, ${n(m.pre_tokens)}${n(m.post_tokens) ? ` → ${n(m.post_tokens)}` : ''} tokens` : '';
  return `compressed: Claude Code compacted its context (${m.trigger === 'manual' ? 'on request' : 'automatically'}${tokens})`;
}

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

function isZero(u: Json | undefined): boolean {
  return !u || TOKEN_FIELDS.every((k) => !u[k]);
}

/** The CLI's per-model counts of a turn (camelCase, as in `modelUsage`) summed into the API's usage shape. */
function sinceLastResult(byModel: unknown): Json | undefined {
  if (typeof byModel !== 'object' || byModel === null) return undefined;
  const models = Object.values(byModel as Record<string, Json>);
  if (models.length === 0) return undefined;
  const sum = (k: string) => models.reduce((n, x) => n + (typeof x?.[k] === 'number' ? x[k] : 0), 0);
  return {
    input_tokens: sum('inputTokens'),
    output_tokens: sum('outputTokens'),
    cache_read_input_tokens: sum('cacheReadInputTokens'),
    cache_creation_input_tokens: sum('cacheCreationInputTokens'),
    cache_creation: { ephemeral_5m_input_tokens: sum('cacheCreationEphemeral5mInputTokens'), ephemeral_1h_input_tokens: sum('cacheCreationEphemeral1hInputTokens') },
  };
}
