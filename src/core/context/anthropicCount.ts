/**
 * The Messages API's count_tokens endpoint (`POST /v1/messages/count_tokens`) through the official SDK, as the
 * counting endpoint ./tokens.ts takes. Free and rate-limited separately from messages; it counts exactly what a
 * request with the same model, system prompt and messages would be billed as input.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { CountRequest, CountTokensEndpoint } from './tokens';

/** `maxRetries` overrides the client's for the count alone (the budget stage's close calls make one try). */
export function anthropicCountEndpoint(sdk: Pick<Anthropic, 'messages'>, options: { readonly maxRetries?: number } = {}): CountTokensEndpoint {
  return async (request: CountRequest, signal?: AbortSignal) => {
    const result = await sdk.messages.countTokens(
      { model: request.model, messages: request.messages.map((m) => ({ role: m.role, content: m.content })), ...(request.system ? { system: request.system } : {}) },
      { signal, ...options },
    );
    return result.input_tokens;
  };
}
