import type { BackendKind } from './kinds';
import type { ErrorKind } from './errors';
import type { Cost } from './cost/cost';
import type { Usage } from './cost/usage';

/**
 * A non-text part of an answer: a tool call, its result, or reasoning. Kept beside the text so that a fork to
 * another backend can render it as text instead of dropping it silently.
 */
export interface AnswerPart {
  readonly kind: 'tool_call' | 'tool_result' | 'reasoning';
  /** Tool name, for tool calls and results. */
  readonly name?: string;
  /** The call's input as JSON, the result's output, or the reasoning text. */
  readonly text: string;
}

/** How an assistant message ended. Partial answers (cancelled or failed mid-stream) are kept, marked as such. */
export type MessageStatus = 'complete' | 'cancelled' | 'error';

export interface UserMessage {
  readonly id: string;
  readonly role: 'user';
  readonly text: string;
  readonly at: number;
  /** Copied from the parent by a fork: context for this instance, but the parent's spend, not its own. */
  readonly inherited?: boolean;
  /** Every backend and model tried for this answer, when there was more than one (a fallback, a retry elsewhere). */
  readonly attempts?: readonly TurnAttempt[];
  /** Compression marks (see `CompressionRecord`). */
  readonly pinned?: boolean;
  readonly compressedBy?: string;
  readonly compression?: CompressionRecord;
}

/**
 * A compression of older messages (context/window.ts). Nothing leaves the transcript: each message it dropped is
 * marked `compressedBy` with the record's id, the last of them carries the record, and what is sent from then on is
 * the record's summary followed by the messages not marked. A `pinned` message is never dropped.
 */
export interface CompressionRecord {
  readonly id: string;
  readonly at: number;
  /** `summary`: a summarizer wrote `summary`; `window`: a plain sliding window (no summarizer, or its summary was refused). */
  readonly mode: 'summary' | 'window';
  /** What stands in for every message dropped so far (a window keeps the previous summary, if there was one). */
  readonly summary?: string;
  /** How many messages this compression dropped. */
  readonly dropped: number;
  /** Who wrote the summary: an instance name or backend/model. */
  readonly summarizer?: string;
  /** Why the sliding window was used, or anything else worth saying. */
  readonly note?: string;
  /** The estimate before and after, in tokens. */
  readonly tokensBefore: number;
  readonly tokensAfter: number;
}

/** One try of a turn at a backend and model, and how it ended when it failed. */
export interface TurnAttempt {
  readonly backend: BackendKind;
  readonly model: string;
  /** Why this target was chosen (the router's or the fallback's words). */
  readonly reason?: string;
  readonly error?: { readonly kind: ErrorKind | 'unknown'; readonly message: string };
}

export interface AssistantMessage {
  /** The ask's id (`AskHandle.id`), so a ledger record, which names its ask, finds its answer here. */
  readonly id: string;
  readonly role: 'assistant';
  readonly text: string;
  readonly at: number;
  readonly status: MessageStatus;
  /** The model the provider reported for this answer. */
  readonly model: string;
  readonly backend: BackendKind;
  readonly usage?: Usage;
  readonly cost?: Cost;
  readonly latencyMs: number;
  /** Time to the first text, when any arrived. */
  readonly firstTokenMs?: number;
  readonly error?: { readonly kind: ErrorKind | 'unknown'; readonly message: string; readonly hint?: string };
  /** Backend's own id for the answer (a Claude Code message uuid), for forking at this point. */
  readonly backendMessageId?: string;
  readonly parts?: readonly AnswerPart[];
  /** Copied from the parent by a fork: context for this instance, but the parent's spend, not its own. */
  readonly inherited?: boolean;
  /** Every backend and model tried for this answer, when there was more than one (a fallback, a retry elsewhere). */
  readonly attempts?: readonly TurnAttempt[];
  /** Compression marks (see `CompressionRecord`). */
  readonly pinned?: boolean;
  readonly compressedBy?: string;
  readonly compression?: CompressionRecord;
  /** The Anthropic API's server-side compaction that came with this answer (Anthropic only; see `ApiCompaction`). */
  readonly apiCompaction?: ApiCompaction;
}

/**
 * A `compaction` block the Anthropic API returned (edit `compact_20260112`), kept in its wire field names so that it
 * goes back verbatim (signed) in this answer's assistant turn; the API then ignores everything before it. Other
 * backends never see it: they get the whole text transcript, which still holds every message.
 */
export interface ApiCompaction {
  /** The API's summary of the earlier context; null when its compaction failed (sent back, it is a no-op). */
  readonly content: string | null;
  readonly encrypted_content?: string | null;
  readonly signature?: string | null;
  readonly tool_changes?: readonly unknown[] | null;
  /** How many messages of the request it stands in for, for the note. */
  readonly summarized: number;
}

export type Message = UserMessage | AssistantMessage;

/** The transcript cut after `messageId` (inclusive); the whole transcript when no id is given. */
export function transcriptUpTo(messages: readonly Message[], messageId: string | undefined): Message[] | undefined {
  if (messageId === undefined) return [...messages];
  const index = messages.findIndex((m) => m.id === messageId);
  return index < 0 ? undefined : messages.slice(0, index + 1);
}

export function lastAnswer(messages: readonly Message[]): AssistantMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'assistant' && m.text.length > 0) return m;
  }
  return undefined;
}

/** The answer with its tool calls and reasoning written out, for a backend that cannot take them as structure. */
export function renderWithParts(m: AssistantMessage): string {
  if (!m.parts?.length) return m.text;
  const rendered = m.parts.map((p) =>
    p.kind === 'reasoning' ? `[reasoning]\n${p.text}` : p.kind === 'tool_call' ? `[tool call ${p.name ?? ''}] ${p.text}` : `[tool result ${p.name ?? ''}] ${p.text}`,
  );
  return [...rendered, m.text].filter((s) => s.length > 0).join('\n\n');
}
