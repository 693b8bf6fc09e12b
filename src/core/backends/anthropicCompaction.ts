/**
 * The Anthropic API's server-side compaction (edit `compact_20260112`, beta `compact-2026-01-12`), the user's choice
 * with `llmFleet.compression.anthropicMode: api`. Past the trigger the API summarizes the context into a
 * `compaction` block that opens its answer; the block is kept on the answer (transcript.ts `ApiCompaction`) and sent
 * back, verbatim, first in that assistant turn, after which the API ignores everything before it. Our transcript
 * keeps every message, so other backends (and the fleet's own compression) still get the whole text.
 *
 * The facts below come from Anthropic's compaction page (docs: build-with-claude/compaction.md, as mirrored in
 * JokerRun/claude-docs-sitemap, content/claude-docs/platform.claude.com/docs/en/build-with-claude/compaction.md,
 * fetched 2026-08-22), cited as "compaction.md"; what the page leaves open is taken from the SDK's types
 * (node_modules/@anthropic-ai/sdk/resources/beta/messages/messages.d.ts), cited as "SDK".
 */
import type { BetaCompactionBlockParam, BetaContentBlockParam, BetaMessageParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Usage } from '../cost/usage';
import type { ApiCompaction, Message } from '../transcript';
import { normaliseTurns } from './messages';

/** compaction.md, "Compatibility": the beta header. */
export const COMPACT_BETA = 'compact-2026-01-12';
/** compaction.md, "Parameters": `trigger.value` must be at least 50,000 tokens (150,000 when no trigger is given). */
export const MIN_COMPACT_TRIGGER = 50_000;

/**
 * compaction.md, "Compatibility": the models compaction is supported on. The API is asked to compact only for
 * these (an exact id or its dated snapshot, `-YYYYMMDD`); for any other model the fleet compresses instead and says
 * why (../context/window.ts). A model the docs add later is added here.
 */
export const COMPACTION_MODELS: readonly string[] = [
  'claude-fable-5', 'claude-mythos-5', 'claude-mythos-preview', 'claude-opus-5', 'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-sonnet-5', 'claude-sonnet-4-6',
];

export function compactionSupported(model: string): boolean {
  const m = model.trim().toLowerCase().replace(/-\d{8}$/, '');
  return COMPACTION_MODELS.includes(m);
}

/** Why the API is not asked to compact for `model`, for the note. */
export function compactionUnsupportedReason(model: string): string {
  return `the Anthropic API compacts only on ${COMPACTION_MODELS.join(', ')} (its compaction docs), not on ${model}`;
}

/** The compact edit, its trigger raised to the API's minimum. */
export function compactEdit(triggerTokens: number): { type: 'compact_20260112'; trigger: { type: 'input_tokens'; value: number } } {
  return { type: 'compact_20260112', trigger: { type: 'input_tokens', value: Math.max(MIN_COMPACT_TRIGGER, Math.floor(triggerTokens)) } };
}

/** Where the last compaction sits in the transcript (-1: none). */
export function lastCompactionIndex(history: readonly Message[]): number {
  return history.findLastIndex((m) => m.role === 'assistant' && m.apiCompaction !== undefined);
}

/**
 * The request's messages with the last compaction block sent back first in its own assistant turn. compaction.md,
 * "Passing compaction blocks back": the block must go back on later requests; the simplest way is the whole response
 * content as the assistant turn (here: the block, then the answer's text, which is all that answer held), and when
 * the API receives a block it ignores every content block before it, so the earlier messages may stay. Only the last
 * block goes: it "reflects the final state of the prompt" (compaction.md), and the SDK refuses more than one block
 * with content (`compaction_block_ambiguous`). `messages` are
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

/**
 * Collects a compaction block from the stream. compaction.md, "Streaming": a `content_block_start`, then a single
 * `content_block_delta` (`compaction_delta`) with the complete summary, then `content_block_stop`. The page shows no
 * signature; in the SDK the start's block may carry one (`signature`, sent back verbatim) and the delta only
 * `content` and `encrypted_content`, which is also how the SDK's own stream accumulates the block. A `null` content
 * is a failed compaction (compaction.md, "Current limitations": with tools defined), a no-op when sent back (SDK).
 */
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
 * What the API counts of a history whose compaction block goes back (compaction.md: "The API automatically drops all
 * content blocks prior to the `compaction` block"): the answer that carried the block, as its summary and its text,
 * then every message after it. Without a compaction (or with a failed one, `content: null`, a no-op) the whole
 * history. For pre-flight estimates (../cost/budgetEstimate.ts), which would otherwise count the whole transcript.
 */
export function apiCountedHistory(history: readonly Message[]): readonly Message[] {
  const k = lastCompactionIndex(history);
  const answer = history[k];
  if (k < 0 || answer.role !== 'assistant' || typeof answer.apiCompaction?.content !== 'string') return history;
  const opening: Message = { ...answer, text: answer.text.trim() === '' ? answer.apiCompaction.content : `${answer.apiCompaction.content}\n\n${answer.text}` };
  return [opening, ...history.slice(k + 1)];
}

/**
 * The compaction's own tokens, which the API bills but leaves out of the top-level usage: its `compaction` entries in
 * `usage.iterations` are added in, so the ledger prices what was billed. compaction.md, "Understanding usage": the
 * top-level `input_tokens`/`output_tokens` are the sum of the non-compaction iterations, and the total billed is the
 * sum over all of `usage.iterations` (present on every response with the beta on; a `compaction` entry only when a
 * new compaction ran; re-sending an old block costs nothing extra). So top level + the compaction entries = that sum.
 */
export function addCompactionUsage(usage: Usage, iterations: unknown): void {
  if (!Array.isArray(iterations)) return;
  for (const it of iterations as Array<{ type?: string; input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number; cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number } | null }>) {
    if (it?.type !== 'compaction') continue;
    usage.input += it.input_tokens ?? 0;
    usage.output += it.output_tokens ?? 0;
    usage.cacheRead += it.cache_read_input_tokens ?? 0;
    // Split by TTL where the entry says (SDK: `cache_creation`); without the split the write used the default, 5 minutes.
    const oneHour = it.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    usage.cacheWrite1h += oneHour;
    usage.cacheWrite5m += it.cache_creation?.ephemeral_5m_input_tokens ?? Math.max(0, (it.cache_creation_input_tokens ?? 0) - oneHour);
  }
}
