import { FleetError } from './errors';
import type { Instance } from './instance';
import { transcriptUpTo, type Message } from './transcript';

/**
 * What a fork of `parent` copies: its settled messages up to `atMessage` (inclusive; default all of them). While the
 * parent answers, the question being answered is in its transcript but is no context yet: a child that inherited it
 * would send it again, unanswered, in front of its own first prompt. `isLatest` tells the backend the cut is at the end.
 */
export function forkContext(parent: Instance, atMessage: string | undefined): { messages: Message[]; isLatest: boolean } {
  const settled = parent.settledTranscript;
  const messages = transcriptUpTo(settled, atMessage);
  if (messages) return { messages, isLatest: messages.length === settled.length };
  if (parent.transcript.some((m) => m.id === atMessage)) {
    throw new FleetError('invalid_argument', `Message '${atMessage}' of '${parent.name}' is still being answered. Fork at an earlier message, or wait for the answer.`);
  }
  throw new FleetError('invalid_argument', `Instance '${parent.name}' has no message '${atMessage}'.`);
}
