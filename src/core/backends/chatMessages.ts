import type { Message } from '../transcript';

/** One message in the plain `{role, content}` shape that Ollama and OpenAI-compatible chat APIs take. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The transcript as plain chat messages, with the system prompt first. Partial or failed answers stay in our
 * transcript, so empty ones are dropped and neighbours with the same role are joined; many chat templates
 * (Llama, Mistral) reject two user turns in a row or an assistant turn first, so the history starts with the user.
 */
export function toChatMessages(systemPrompt: string | undefined, history: readonly Message[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of history) {
    if (m.text.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content = `${last.content}\n\n${m.text}`;
    else out.push({ role: m.role, content: m.text });
  }
  while (out.length > 0 && out[0].role !== 'user') out.shift();
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, ...out] : out;
}
