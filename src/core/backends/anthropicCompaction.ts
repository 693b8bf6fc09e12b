/**
 * The Anthropic API's server-side compaction (edit `compact_20260112`, beta `compact-2026-01-12`), the user's choice
 * with `llmFleet.compression.anthropicMode: api`. Past the trigger the API summarizes the context into a signed
 * `compaction` block that opens its answer; the block is kept on the answer (transcript.ts `ApiCompaction`) and sent
 * back, verbatim, first in that assistant turn, after which the API ignores everything before it. Our transcript
 * keeps every message, so other backends (and the fleet's own compression) still get the whole text.
 */
import type { BetaCompactionBlockParam, BetaContentBlockParam, BetaMessageParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Usage } from '../cost/usage';
import type { ApiCompaction, Message } from '../transcript';
import { normaliseTurns } from './messages';

export const COMPACT_BETA = 'compact-2026-01-12';
/** The API refuses a compaction trigger below this (its documented minimum; 150,000 when none is given). */
export const MIN_COMPACT_TRIGGER = 50_000;

/** The compact edit, its trigger raised to the API's minimum. */
export function compactEdit(triggerTokens: number): { type: 'compact_20260112'; trigger: { type: 'input_tokens'; value: number } } {
  return { type: 'compact_20260112', trigger: { type: 'input_tokens', value: Math.max(MIN_COMPACT_TRIGGER, Math.floor(triggerTokens)) } };
}

/** Where the last compaction sits in the transcript (-1: none). */
export function lastCompactionIndex(history: readonly Message[]): number {
  return history.findLastIndex((m) => m.role === 'assistant' && m.apiCompaction !== undefined);
}

/**
 * The request's messages with the last compaction block sent back first in its own assistant turn. `messages` are
 * `normaliseTurns(history)` as text blocks; a turn's place is found by normalising the history up to the answer
 * that carried the block (normalising works left to right, so that is a prefix of the whole).
 */
export function withCompactionBlock(history: readonly Message[], messages: MessageParam[]): BetaMessageParam[] {
  const k = lastCompactionIndex(history);
  const answer = history[k];
  if (k < 0 || answer.role !== 'assistant' || !answer.apiCompaction) return messages as BetaMessageParam[];
  const prefix = normaliseTurns(history.slice(0, k + 1));
  if (prefix.length === 0) return messages as BetaMessageParam[];
  const out = [...messages] as BetaMessageParam[];
  const block = compactionParam(answer.apiCompaction);
  if (prefix[prefix.length - 1].role === 'assistant') {
    const at = prefix.length - 1;
    out[at] = { role: 'assistant', content: [block, ...(out[at].content as BetaContentBlockParam[])] };
  } else {
    // The answer had no text (cancelled right after compacting): the block is its turn on its own.
    out.splice(prefix.length, 0, { role: 'assistant', content: [block] });
  }
  return out;
}

function compactionParam(c: ApiCompaction): BetaCompactionBlockParam {
  return {
    type: 'compaction',
    content: c.content,
    ...(c.encrypted_content !== undefined ? { encrypted_content: c.encrypted_content } : {}),
    ...(c.signature !== undefined ? { signature: c.signature } : {}),
    ...(c.tool_changes !== undefined ? { tool_changes: c.tool_changes as BetaCompactionBlockParam['tool_changes'] } : {}),
  };
}

/** Collects a compaction block from the stream: its start carries the signature, a `compaction_delta` its content. */
export class CompactionReader {
  private block: { content: string | null; encrypted_content?: string | null; signature?: string | null; tool_changes?: unknown[] | null } | undefined;
  private index = -1;

  /** `summarized`: how many transcript messages the request counted, for the note. */
  constructor(private readonly summarized: number) {}

  /** Reads one stream event; true when it belonged to the compaction block (never answer text). */
  event(e: unknown, note: (text: string) => void): boolean {
    const ev = e as { type?: string; index?: number; content_block?: any; delta?: any };
    if (ev.type === 'content_block_start' && ev.content_block?.type === 'compaction') {
      const b = ev.content_block;
      this.index = ev.index ?? 0;
      this.block = { content: b.content ?? null, encrypted_content: b.encrypted_content, signature: b.signature, tool_changes: b.tool_changes };
      return true;
    }
    if (ev.type === 'content_block_delta' && ev.delta?.type === 'compaction_delta' && this.block && ev.index === this.index) {
      this.block.content = ev.delta.content ?? null;
      if ('encrypted_content' in ev.delta) this.block.encrypted_content = ev.delta.encrypted_content;
      return true;
    }
    if (ev.type === 'content_block_stop' && this.block && ev.index === this.index) {
      const n = this.summarized;
      note(this.block.content === null
        ? 'the Anthropic API tried to compact the context but produced no summary; the whole conversation is still sent'
        : `compacted by the API: ${n} earlier message${n === 1 ? '' : 's'} summarized`);
      return true;
    }
    return false;
  }

  get result(): ApiCompaction | undefined {
    if (!this.block) return undefined;
    const b = this.block;
    return {
      content: b.content,
      ...(b.encrypted_content !== undefined ? { encrypted_content: b.encrypted_content } : {}),
      ...(b.signature !== undefined ? { signature: b.signature } : {}),
      ...(b.tool_changes !== undefined ? { tool_changes: b.tool_changes } : {}),
      summarized: this.summarized,
    };
  }
}

/** The transcript messages a request counts: those after the last compaction (the API ignores the rest). */
export function countedMessages(history: readonly Message[]): number {
  return history.slice(lastCompactionIndex(history) + 1).filter((m) => m.text.trim() !== '').length;
}

/**
 * The compaction's own tokens, which the API bills but leaves out of the top-level usage: its `compaction` entries in
 * `usage.iterations` are added in, so the ledger prices what was billed.
 */
export function addCompactionUsage(usage: Usage, iterations: unknown): void {
  if (!Array.isArray(iterations)) return;
  for (const it of iterations as Array<{ type?: string; input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number }>) {
    if (it?.type !== 'compaction') continue;
    usage.input += it.input_tokens ?? 0;
    usage.output += it.output_tokens ?? 0;
    usage.cacheRead += it.cache_read_input_tokens ?? 0;
    usage.cacheWrite5m += it.cache_creation_input_tokens ?? 0;
  }
}
