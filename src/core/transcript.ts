import type { BackendKind } from './backends/backend';
import type { ErrorKind } from './backends/errors';
import type { Cost } from './cost/cost';
import type { Usage } from './cost/usage';

/** How an assistant message ended. Partial answers (cancelled or failed mid-stream) are kept, marked as such. */
export type MessageStatus = 'complete' | 'cancelled' | 'error';

export interface UserMessage {
  readonly id: string;
  readonly role: 'user';
  readonly text: string;
  readonly at: number;
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
