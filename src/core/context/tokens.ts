/**
 * Token counts for decisions made before a request is sent (cache breakpoints, budgets, compression, routing).
 * Real counts come back in each response's usage; these are what is known beforehand:
 * - OpenAI's models: exact, from the model's own tokenizer (./openaiTokenizer.ts).
 * - Claude: a character estimate (calibrated per conversation by ./calibration.ts against the usage the API
 *   reported), or the Messages API's count_tokens endpoint where a key is set (`countTokens` below).
 * - Ollama and other servers: their own counts once they have answered (./calibration.ts), an estimate before.
 */
import { errorMessage } from '../errors';
import type { BackendKind } from '../kinds';
import { countOpenAiTokens, encodingFor, isOpenAiModel } from './openaiTokenizer';

/**
 * ~3.5 characters per token is the measured ratio of Claude's older vocabulary on mixed prose and code; erring high
 * means a borderline prefix is marked for caching, which costs nothing if the provider then declines it.
 */
export const CHARS_PER_TOKEN = 3.5;
/** Framing around each message (role markers, separators), and the tokens that prime the reply: OpenAI's documented 3 + 3. */
export const MESSAGE_OVERHEAD_TOKENS = 3;
export const REPLY_PRIMING_TOKENS = 3;
/** Every role name (system, user, assistant) is one token in the vocabularies we know. */
const ROLE_TOKENS = 1;

/** How a model's tokens are known: its own tokenizer (openai), or estimated and calibrated by what the server reports. */
export type TokenFamily = 'openai' | 'claude' | 'ollama' | 'other';
const FAMILIES: readonly string[] = ['openai', 'claude', 'ollama', 'other'];

/** A transcript message (`text`) or a wire message (`content`). */
export interface TokenMessage {
  readonly role: string;
  readonly text?: string;
  readonly content?: string;
}
export type TokenInput = string | readonly TokenMessage[];

/** What a target is sent, as counted: the system prompt (as the first message, when there is one), then the messages. */
export function withSystemPrompt(system: string | undefined, messages: readonly TokenMessage[]): TokenMessage[] {
  return system ? [{ role: 'system', text: system }, ...messages] : [...messages];
}

export function messageText(m: TokenMessage): string {
  return m.text ?? m.content ?? '';
}

export function tokenFamily(model: string, backend?: BackendKind): TokenFamily {
  if (backend === 'ollama') return 'ollama';
  if (backend === 'anthropic' || backend === 'claudeCode' || /claude/i.test(model)) return 'claude';
  return isOpenAiModel(model) ? 'openai' : 'other';
}

/**
 * The key estimates are calibrated and their error is kept under: one per vocabulary. Claude's differs between
 * models (a new generation may bring a new tokenizer), so each Claude model keeps its own; an Ollama model's tag
 * (`qwen2.5:7b`) shares its base model's vocabulary.
 */
export function familyKey(model: string, backend?: BackendKind): string {
  const family = tokenFamily(model, backend);
  const m = model.trim().toLowerCase();
  if (family === 'openai') return `openai:${encodingFor(m)}`;
  if (family === 'claude') return `claude:${m.replace(/\[[^\]]*\]$/, '').replace(/-(\d{8}|latest)$/, '')}`;
  if (family === 'ollama') return `ollama:${m.split(':')[0]}`;
  return `other:${m}`;
}

function resolve(modelOrFamily: string | undefined): { family: TokenFamily | undefined; model: string } {
  if (modelOrFamily === undefined) return { family: undefined, model: '' };
  if (FAMILIES.includes(modelOrFamily)) return { family: modelOrFamily as TokenFamily, model: modelOrFamily === 'openai' ? 'gpt-4o' : '' };
  return { family: tokenFamily(modelOrFamily), model: modelOrFamily };
}

function textTokens(text: string, family: TokenFamily | undefined, model: string): number {
  if (family === 'openai') return countOpenAiTokens(text, model);
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Tokens in a text, or in a list of messages (with the framing of each and the reply's priming), for a model id
 * (`gpt-4o`, `claude-sonnet-4-6`) or a family (`claude`, `openai`). Pure and synchronous. Exact for OpenAI's
 * models (a message list as the library's `encodeChat` counts it); an uncalibrated estimate for the others.
 * Without a model it is the plain character estimate.
 */
export function estimateTokens(input: TokenInput, modelOrFamily?: string): number {
  const { family, model } = resolve(modelOrFamily);
  if (typeof input === 'string') return textTokens(input, family, model);
  if (input.length === 0) return 0;
  let n = REPLY_PRIMING_TOKENS;
  for (const m of input) n += messageTokens(m, family, model);
  return n;
}

/** Messages' tokens with their framing, but not the reply's priming: what appending them to a conversation adds. */
export function appendedTokens(messages: readonly TokenMessage[], modelOrFamily?: string): number {
  const { family, model } = resolve(modelOrFamily);
  return messages.reduce((n, m) => n + messageTokens(m, family, model), 0);
}

function messageTokens(m: TokenMessage, family: TokenFamily | undefined, model: string): number {
  return MESSAGE_OVERHEAD_TOKENS + ROLE_TOKENS + textTokens(messageText(m), family, model);
}

/** A request to a provider's counting endpoint: the Messages API's count_tokens shape. */
export interface CountRequest {
  readonly model: string;
  readonly system?: string;
  readonly messages: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly content: string }>;
}
/** Counts a request's input tokens at the provider (see ./anthropicCount.ts); throws when it cannot. */
export type CountTokensEndpoint = (request: CountRequest, signal?: AbortSignal) => Promise<number>;

export interface CountOptions {
  readonly model: string;
  readonly backend?: BackendKind;
  /** The system prompt, when it is not among the messages. */
  readonly system?: string;
  /** Claude's count_tokens endpoint, where a key is set. */
  readonly endpoint?: CountTokensEndpoint;
  readonly signal?: AbortSignal;
}

export interface TokenCount {
  readonly tokens: number;
  /** `endpoint`: counted by the provider; `tokenizer`: the model's own tokenizer; `estimate`: characters (calibrated where a conversation had answers). */
  readonly source: 'endpoint' | 'tokenizer' | 'estimate';
  /** Why the endpoint was not used, when it failed: the count is then an estimate. */
  readonly error?: string;
}

/**
 * Counts before sending: the provider's endpoint for Claude where there is one, the tokenizer for OpenAI's models,
 * and otherwise `estimate` (default: the plain estimate). A string is counted as text (to the endpoint, as one user
 * message). A failing endpoint never fails the caller: a budget or a router still gets a number, marked as an
 * estimate, with the reason.
 */
export async function countTokens(input: TokenInput, options: CountOptions, estimate: (input: TokenInput) => number = (i) => estimateTokens(i, options.model)): Promise<TokenCount> {
  const family = tokenFamily(options.model, options.backend);
  const messages = typeof input === 'string' ? [{ role: 'user', text: input }] : input;
  const whole: TokenInput = options.system ? [{ role: 'system', text: options.system }, ...messages] : input;
  if (family === 'openai') return { tokens: estimateTokens(whole, options.model), source: 'tokenizer' };
  const request = family === 'claude' && options.endpoint ? countRequest(options.model, messages, options.system) : undefined;
  if (request && options.endpoint) {
    try {
      return { tokens: await options.endpoint(request, options.signal), source: 'endpoint' };
    } catch (e) {
      if (options.signal?.aborted) throw e;
      return { tokens: estimate(whole), source: 'estimate', error: errorMessage(e) };
    }
  }
  return { tokens: estimate(whole), source: 'estimate' };
}

/** The count_tokens body: system messages join the system prompt, empty ones are left out (the API refuses them). */
export function countRequest(model: string, messages: readonly TokenMessage[], system?: string): CountRequest | undefined {
  const systems = [system ?? '', ...messages.filter((m) => m.role === 'system').map(messageText)].filter((s) => s.length > 0);
  const turns = messages
    .filter((m) => m.role !== 'system' && messageText(m).length > 0)
    .map((m) => ({ role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const), content: messageText(m) }));
  if (turns.length === 0) return undefined;
  return { model, messages: turns, ...(systems.length > 0 ? { system: systems.join('\n\n') } : {}) };
}
