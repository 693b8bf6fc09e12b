/**
 * Estimates that learn from what the provider reported. A conversation's next prompt is its last prompt plus what
 * was appended since, so once the provider has counted a prompt (Anthropic's usage, Ollama's prompt_eval_count,
 * an OpenAI-compatible server's prompt_tokens) that count is kept, and only the appended messages are estimated,
 * scaled by the ratio of reported to estimated tokens for the same text seen so far in the conversation. How far
 * the estimates were from the reports is kept per family, for a dashboard.
 */
import type { BackendKind } from '../kinds';
import { appendedTokens, countTokens, estimateTokens, familyKey, messageText, tokenFamily, type CountTokensEndpoint, type TokenCount, type TokenFamily, type TokenMessage } from './tokens';

export interface AccuracyStats {
  /** Estimates compared with a reported count. */
  readonly count: number;
  /** Mean of |estimate − reported| / reported, in percent. */
  readonly meanAbsPctError: number;
}

/** The error of estimates against reported usage, per family key (./tokens.ts `familyKey`). */
export class EstimateAccuracy {
  private readonly stats = new Map<string, { count: number; sum: number }>();

  record(key: string, estimated: number, reported: number): void {
    if (!(reported > 0) || !Number.isFinite(estimated)) return;
    const s = this.stats.get(key) ?? { count: 0, sum: 0 };
    s.count += 1;
    s.sum += (Math.abs(estimated - reported) / reported) * 100;
    this.stats.set(key, s);
  }

  get(key: string): AccuracyStats {
    const s = this.stats.get(key);
    return { count: s?.count ?? 0, meanAbsPctError: s && s.count > 0 ? s.sum / s.count : 0 };
  }

  snapshot(): Record<string, AccuracyStats> {
    return Object.fromEntries([...this.stats.keys()].sort().map((k) => [k, this.get(k)]));
  }
}

/** The one a dashboard reads, unless a conversation is given its own. */
export const ESTIMATE_ACCURACY = new EstimateAccuracy();

/**
 * Reported ÷ estimated tokens over the same texts. A ratio of sums, not a mean of ratios: a long message says more
 * about the vocabulary than a two-word one.
 */
export class Calibration {
  private reported = 0;
  private estimated = 0;
  private n = 0;

  get samples(): number {
    return this.n;
  }

  get ratio(): number {
    return this.estimated > 0 ? this.reported / this.estimated : 1;
  }

  add(estimated: number, reported: number): void {
    if (!(estimated > 0) || !(reported > 0)) return;
    this.estimated += estimated;
    this.reported += reported;
    this.n += 1;
  }
}

export interface ConversationTokensOptions {
  readonly model: string;
  readonly backend?: BackendKind;
  /**
   * The provider adds a prompt of its own that is never among our messages (Claude Code's system prompt and
   * tools): the first count is mostly that, so it sets the overhead rather than the ratio. Default: Claude Code.
   */
  readonly hiddenPrompt?: boolean;
  /** Claude's count_tokens endpoint, for `count`. */
  readonly endpoint?: CountTokensEndpoint;
  /** Share one across conversations of a model to learn faster; default: this conversation's own. */
  readonly calibration?: Calibration;
  readonly accuracy?: EstimateAccuracy;
}

interface Anchor {
  /** The messages a count covered, as role and text (so a later change to the transcript cannot move it). */
  readonly messages: readonly { readonly role: string; readonly text: string }[];
  readonly tokens: number;
  /** The uncalibrated estimate of the same messages. */
  readonly raw: number;
}

/** One conversation's token counts: estimates before each request, the provider's counts after. */
export class ConversationTokens {
  readonly family: TokenFamily;
  readonly key: string;
  readonly calibration: Calibration;
  private readonly accuracy: EstimateAccuracy;
  private readonly hidden: boolean;
  private anchor: Anchor | undefined;

  constructor(private readonly options: ConversationTokensOptions) {
    this.family = tokenFamily(options.model, options.backend);
    this.key = familyKey(options.model, options.backend);
    this.calibration = options.calibration ?? new Calibration();
    this.accuracy = options.accuracy ?? ESTIMATE_ACCURACY;
    this.hidden = options.hiddenPrompt ?? options.backend === 'claudeCode';
  }

  /** The prompt tokens of a request with these messages (the system prompt as the first, if any). Synchronous. */
  estimate(messages: readonly TokenMessage[]): number {
    const a = this.anchor;
    if (a && isPrefix(a.messages, messages)) return a.tokens + this.scaled(appendedTokens(messages.slice(a.messages.length), this.options.model));
    return this.scaled(estimateTokens(messages, this.options.model)) + this.hiddenOverhead();
  }

  /**
   * After an answer: the prompt tokens the provider reported for the request these messages made (for Anthropic,
   * input plus cache reads and writes; `promptTokens` in ../cost/usage.ts).
   */
  observe(messages: readonly TokenMessage[], reportedPromptTokens: number): void {
    if (!(reportedPromptTokens > 0)) return; // a server that reported nothing
    const a = this.anchor;
    const extended = a !== undefined && isPrefix(a.messages, messages);
    // Ollama may count only the tokens it evaluated past its own cache: a longer prompt counted lower is not a count of it.
    if (extended && reportedPromptTokens < a.tokens && this.family === 'ollama') return;
    if (a || !this.hidden) this.accuracy.record(this.key, this.estimate(messages), reportedPromptTokens);
    if (extended) this.calibration.add(appendedTokens(messages.slice(a.messages.length), this.options.model), reportedPromptTokens - a.tokens);
    else if (!this.hidden) this.calibration.add(estimateTokens(messages, this.options.model), reportedPromptTokens);
    this.anchor = { messages: messages.map((m) => ({ role: m.role, text: messageText(m) })), tokens: reportedPromptTokens, raw: estimateTokens(messages, this.options.model) };
  }

  /**
   * Counts before sending: Claude's count_tokens endpoint where one is set, the tokenizer for OpenAI's models,
   * this conversation's calibrated estimate otherwise. An endpoint's count is exact, so later estimates build on it.
   */
  async count(messages: readonly TokenMessage[], signal?: AbortSignal): Promise<TokenCount> {
    const estimate = (input: string | readonly TokenMessage[]) => this.estimate(typeof input === 'string' ? [{ role: 'user', text: input }] : input);
    const c = await countTokens(messages, { model: this.options.model, backend: this.options.backend, endpoint: this.options.endpoint, signal }, estimate);
    if (c.source === 'endpoint' && !this.hidden) this.anchor = { messages: messages.map((m) => ({ role: m.role, text: messageText(m) })), tokens: c.tokens, raw: estimateTokens(messages, this.options.model) };
    return c;
  }

  private scaled(raw: number): number {
    return Math.round(raw * this.calibration.ratio);
  }

  /** What the provider counted beyond our messages (its own prompt), once it has counted a request. */
  private hiddenOverhead(): number {
    const a = this.anchor;
    return a && this.hidden ? Math.max(0, a.tokens - this.scaled(a.raw)) : 0;
  }
}

function isPrefix(prefix: Anchor['messages'], messages: readonly TokenMessage[]): boolean {
  if (prefix.length > messages.length) return false;
  return prefix.every((p, i) => p.role === messages[i].role && p.text === messageText(messages[i]));
}
