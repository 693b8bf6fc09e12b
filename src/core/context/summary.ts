/**
 * The pure half of compression: what a compressed transcript sends, how a compression is recorded on the
 * transcript, and what the summarizer is asked and which answers are refused. No I/O here; ./window.ts decides
 * when, and ./summarizer.ts runs the model.
 */
import { renderWithParts, type CompressionRecord, type Message, type UserMessage } from '../transcript';

/** What a compression changes on the transcript: which messages it dropped, and its record (on the last of them). */
export interface CompressionMark {
  readonly record: CompressionRecord;
  readonly droppedIds: readonly string[];
}

/** The latest compression of a transcript, if any: the record every later turn is sent with. */
export function latestCompression(history: readonly Message[]): CompressionRecord | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const r = history[i].compression;
    if (r) return r;
  }
  return undefined;
}

/** The text that stands in for the dropped messages, as the first user turn of what is sent. */
export function summaryMessage(record: CompressionRecord): UserMessage | undefined {
  if (!record.summary) return undefined;
  const text = `[Summary of ${record.dropped === 1 ? 'an earlier message' : 'earlier messages'} of this conversation, written for you to continue from]\n\n${record.summary}`;
  return { id: `summary:${record.id}`, role: 'user', text, at: record.at };
}

/**
 * What a transcript sends once compressed: the latest summary, then every message not dropped, in order (pinned
 * ones included). Unchanged when nothing was ever compressed.
 */
export function compressedHistory(history: readonly Message[]): Message[] {
  const record = latestCompression(history);
  if (!record) return [...history];
  const kept = history.filter((m) => m.compressedBy === undefined);
  const summary = summaryMessage(record);
  return summary ? [summary, ...kept] : kept;
}

/** Marks the dropped messages in place (the transcript is the instance's own array); returns how many it marked. */
export function applyCompressionMark(messages: Message[], mark: CompressionMark): number {
  const ids = new Set(mark.droppedIds);
  const lastId = mark.droppedIds.at(-1);
  let n = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!ids.has(m.id) || m.pinned || m.compressedBy !== undefined) continue;
    messages[i] = { ...m, compressedBy: mark.record.id, ...(m.id === lastId ? { compression: mark.record } : {}) };
    n++;
  }
  return n;
}

/** Pins or unpins one message; false when it is not in the transcript. */
export function applyPin(messages: Message[], id: string, pinned: boolean): boolean {
  const i = messages.findIndex((m) => m.id === id);
  if (i < 0) return false;
  const { pinned: _old, ...rest } = messages[i];
  messages[i] = (pinned ? { ...rest, pinned: true } : rest) as Message;
  return true;
}

/** The summarizer's instructions: a structured summary, with the facts a continuation needs. */
export const SUMMARIZER_SYSTEM = [
  'You compress conversations. You are given the earlier part of a conversation between a user and an assistant,',
  'possibly with an earlier summary of what came before it. Write one summary that replaces all of it.',
  'Use exactly these headings, in this order, with terse bullet points under each:',
  '## Goal',
  '## Decisions and conclusions',
  '## Facts, names, numbers and code identifiers',
  '## Tool activity (calls made and what they returned)',
  '## Open questions and next steps',
  'Keep every file name, identifier, number and user preference exactly as written. Do not answer the conversation;',
  'do not add anything that is not in it. Reply with the summary only.',
].join('\n');

/** The summarizer's prompt: the previous summary, then the dropped messages with tool calls and results written out. */
export function summarizerPrompt(previous: string | undefined, dropped: readonly Message[], maxWords: number): string {
  const lines = dropped.map((m) => `### ${m.role === 'user' ? 'User' : 'Assistant'}\n${m.role === 'assistant' ? renderWithParts(m) : m.text}`);
  const head = previous ? `An earlier summary of the conversation before these messages:\n\n${previous}\n\n` : '';
  return `${head}The messages to summarize:\n\n${lines.join('\n\n')}\n\nWrite the summary now, in at most ${maxWords} words.`;
}

/** Why a summary is refused (empty, too short), or undefined when it may stand in for the messages. */
export function summaryProblem(text: string, minChars: number): string | undefined {
  const t = text.trim();
  if (t.length === 0) return 'the summarizer returned an empty summary';
  if (t.length < minChars) return `the summarizer's summary was too short (${t.length} characters, at least ${minChars} wanted)`;
  return undefined;
}
