/**
 * The transcript as the alternating turns every provider accepts, and the two wire shapes built from it. Each
 * backend used to carry its own copy of these rules; they live here once so that a fork from one backend to
 * another sends the same conversation.
 */
import type { Message } from '../transcript';

/** One turn of a normalised conversation: text only, roles alternating, the user first. */
export interface Turn {
  readonly role: 'user' | 'assistant';
  readonly text: string;
}

/** One message in the plain `{role, content}` shape that Ollama and OpenAI-compatible chat APIs take. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The rules, for every provider:
 * - A message with no visible text is dropped. Partial and failed answers stay in our transcript, and a cancel
 *   before the first token leaves an empty one; the Anthropic API refuses empty or whitespace-only text blocks,
 *   and chat templates render them as a turn that says nothing. A message's non-text parts (reasoning, tool
 *   calls) are not sent back: they were the model's own working, not the conversation.
 * - Neighbours with the same role are joined with a blank line: the Anthropic API and many chat templates
 *   (Llama, Mistral) reject two user turns in a row, and dropping a message above can make two meet.
 * - The conversation starts with the user: an answer with no question before it (a fork's orphan, a dropped
 *   first question) is refused by the same APIs and templates.
 * The text itself is sent as written; only what separates messages is ours.
 */
export function normaliseTurns(history: readonly Message[]): Turn[] {
  const out: Array<{ role: Turn['role']; text: string }> = [];
  for (const m of history) {
    if (m.text.trim() === '') continue;
    const last = out[out.length - 1];
    if (last?.role === m.role) last.text = `${last.text}\n\n${m.text}`;
    else if (last || m.role === 'user') out.push({ role: m.role, text: m.text });
  }
  return out;
}

/** The conversation as plain chat messages, with the system prompt first (Ollama, OpenAI-compatible servers). */
export function toChatMessages(systemPrompt: string | undefined, history: readonly Message[]): ChatMessage[] {
  const turns: ChatMessage[] = normaliseTurns(history).map((t) => ({ role: t.role, content: t.text }));
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, ...turns] : turns;
}
