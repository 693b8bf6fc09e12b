/**
 * Where a ledger record's answer is in this window's fleet. A record names its instance and its ask; an answer's
 * message id is its ask's id (core/instance.ts), so the answer is found by id in a transcript. Pure, no `vscode`.
 */
import type { Message } from '../../core/transcript';

/** What the lookup needs of the Fleet. */
export interface TranscriptSource {
  has(name: string): boolean;
  get(name: string): { readonly transcript: readonly Message[] };
  list(): ReadonlyArray<{ readonly name: string }>;
}

export type RequestLocation =
  | { readonly kind: 'found'; readonly instance: string; readonly messageId: string }
  /** No chat to open: the instance is gone (killed, or it lives in another window or workspace). */
  | { readonly kind: 'noInstance'; readonly message: string }
  /** The instance is here, but its chat has no such answer: the chat opens at its end, with this said. */
  | { readonly kind: 'noMessage'; readonly instance: string; readonly message: string };

/** The instance's own answer to the ask, not one a fork copied from its parent (that one is the parent's). */
function answerIn(transcript: readonly Message[], askId: string): Message | undefined {
  return transcript.find((m) => m.id === askId && m.role === 'assistant' && !m.inherited);
}

/**
 * The named instance first; then every live one, since an instance renamed after the ask keeps its transcript but
 * its records keep the old name.
 */
export function locateRequest(fleet: TranscriptSource, instance: string, askId: string): RequestLocation {
  if (fleet.has(instance) && answerIn(fleet.get(instance).transcript, askId)) return { kind: 'found', instance, messageId: askId };
  for (const { name } of fleet.list()) {
    if (name !== instance && answerIn(fleet.get(name).transcript, askId)) return { kind: 'found', instance: name, messageId: askId };
  }
  if (!fleet.has(instance)) {
    return {
      kind: 'noInstance',
      message: `LLM Fleet: there is no chat for that request: '${instance}' is not in this window's fleet (it was killed, or it ran in another window or workspace). Its figures stay in the ledger and in the export.`,
    };
  }
  return {
    kind: 'noMessage',
    instance,
    message: `LLM Fleet: '${instance}' has no answer for that request in its chat (ask ${askId}). It may come from another window or workspace with an instance of the same name, or from before answers were linked to the ledger. The chat is open at its latest message.`,
  };
}
