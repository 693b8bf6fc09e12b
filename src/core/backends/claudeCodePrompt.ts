/**
 * What a Claude Code turn writes to the CLI's stdin: the user's message as a stream-json line, checked before any
 * process is touched (a bad prompt must never reach the CLI), and for a session the CLI has no file for, the earlier
 * messages written out ahead of it.
 */
import { BackendError } from '../errors';
import { renderWithParts, type Message } from '../transcript';

/** Half of a UTF-16 pair on its own: JSON can carry it, UTF-8 cannot, so it would not reach the model as written. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The stdin line for a turn; `fresh`: the CLI has not seen this session's earlier messages, so they are seeded. */
export function userLine(history: readonly Message[], fresh: boolean): Record<string, unknown> {
  const last = history.at(-1);
  if (!last || last.role !== 'user') throw new BackendError('bad_request', 'The conversation does not end with a user message.');
  if (typeof last.text !== 'string' || last.text.length === 0) throw new BackendError('bad_request', 'The prompt is empty.');
  if (LONE_SURROGATE.test(last.text)) {
    throw new BackendError('bad_request', 'The prompt contains a broken character (an unpaired UTF-16 surrogate) that cannot be sent as UTF-8.', {
      hint: 'Remove the character; it usually comes from text cut in the middle of an emoji.',
    });
  }
  const content = fresh && history.length > 1 ? seededPrompt(history) : last.text;
  return { type: 'user', message: { role: 'user', content }, parent_tool_use_id: null, session_id: '' };
}

/**
 * The first prompt of a session that starts with history it did not see (a fork from another backend, or a session
 * the CLI lost): the earlier messages as text, then the new message.
 */
export function seededPrompt(history: readonly Message[]): string {
  const earlier = history.slice(0, -1).filter((m) => m.text.length > 0 || (m.role === 'assistant' && m.parts?.length));
  const prompt = history.at(-1)!.text;
  if (earlier.length === 0) return prompt;
  const blocks = earlier.map((m) => (m.role === 'user' ? `<user>\n${m.text}\n</user>` : `<assistant>\n${renderWithParts(m)}\n</assistant>`));
  return `This conversation continues one held elsewhere. The earlier messages, oldest first:\n\n${blocks.join('\n\n')}\n\nThe new message:\n\n${prompt}`;
}
