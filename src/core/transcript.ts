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
