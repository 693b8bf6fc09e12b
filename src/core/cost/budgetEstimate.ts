/**
 * The budget stage's pre-flight count of a request's prompt tokens. OpenAI's models are counted exactly by their
 * tokenizer. The others start from the character estimate, and once a conversation has had MIN_CALIBRATION_TURNS
 * answers with reported usage, use its calibrated estimate (../context/calibration.ts): the last reported prompt
 * plus what was appended since, scaled by what the provider counted for our estimates so far.
 *
 * Why not from the first answer: the token bench (`npm run bench -- tokens`, section 2, Claude's family; the error
 * of the next prompt's estimate, and of the part appended since the last report) measured, after 0 (plain) / 1 / 2
 * / 3 / 5 / 10 reported turns: next prompt 28.3 / 30.4 / 10.3 / 6.5 / 3.5 / 1.8% mean |error| (worst +65 / +136 /
 * -36 / -28 / -17 / -8%), appended part 28.3 / 46.8 / 26.6 / 23.1 / 20.3 / 19.9%. One answer overfits the ratio to
 * one sample of vocabulary and is worse than no calibration; two still guess the appended part no better than the
 * plain estimate and can undershoot by a third (an undershoot lets spend through a cap); from three on it is better
 * on every measure.
 *
 * Claude's count_tokens endpoint (../context/anthropicCount.ts) is not used for every ask: it would put a network
 * round trip (rate-limited apart from messages) before each one; it cannot count Claude Code's prompt at all (the CLI
 * adds its own system prompt and tools); and after three answers the calibrated estimate, anchored on the reported
 * prompt, is within a few percent anyway. The budget stage asks it only for a close call, an Anthropic API ask whose
 * estimate lands near a cap's room (./budgetCount.ts); the count then replaces this estimate (`count_tokens`).
 */
import { apiCountedHistory, compactionSupported } from '../backends/anthropicCompaction';
import { ConversationTokens, EstimateAccuracy } from '../context/calibration';
import { estimateTokens, tokenFamily, withSystemPrompt, type TokenMessage } from '../context/tokens';
import type { EstimateSource, TurnRequest } from '../turn/types';
import { promptTokens, type Usage } from './usage';

/** Reported turns a conversation needs before its calibrated estimate is trusted (see the comment above). */
export const MIN_CALIBRATION_TURNS = 3;
/** Conversations remembered at once; the oldest is forgotten (it restarts from the plain estimate). */
const MAX_CONVERSATIONS = 500;

export interface PromptEstimate {
  /** Prompt tokens: input, cache writes and reads together. */
  readonly tokens: number;
  /** Of them, the prefix the provider reported cached at the last answer (read from the cache this time, likely). */
  readonly cached: number;
  readonly source: EstimateSource;
}

interface Conversation {
  readonly tokens: ConversationTokens;
  turns: number;
  /** Cache reads and writes of the last answer: the prefix the next request most likely reads from the cache. */
  cachedPrefix: number;
}

/**
 * The system prompt (as the first message) and the history: what the target counts. An Anthropic API request that
 * sends back a compaction block (compaction on: `contextManagement.compactTriggerTokens`, as the backend decides)
 * counts from that block on, since the API drops everything before it (../backends/anthropicCompaction.ts
 * `apiCountedHistory`); the transcript itself still holds every message.
 */
export function promptMessages(request: TurnRequest): TokenMessage[] {
  // The backend drops compaction for a model the API does not compact for (a fallback's or router's target), and
  // then sends the whole history.
  const compacting = request.target.backend === 'anthropic' && request.contextManagement?.compactTriggerTokens !== undefined && compactionSupported(request.target.model);
  return withSystemPrompt(request.instance.spec.systemPrompt, compacting ? apiCountedHistory(request.history) : request.history);
}

export class PromptEstimates {
  private readonly conversations = new Map<string, Conversation>();
  /** Kept apart from the process-wide accuracy figures: the ledger keeps the ones the dashboard shows. */
  private readonly accuracy = new EstimateAccuracy();

  constructor(private readonly minTurns = MIN_CALIBRATION_TURNS) {}

  estimate(request: TurnRequest): PromptEstimate {
    const { backend, model } = request.target;
    const messages = promptMessages(request);
    if (tokenFamily(model, backend) === 'openai') return { tokens: estimateTokens(messages, model), cached: 0, source: 'tokenizer' };
    const c = this.conversations.get(keyOf(request));
    if (c && c.turns >= this.minTurns) {
      const tokens = c.tokens.estimate(messages);
      return { tokens, cached: Math.min(tokens, c.cachedPrefix), source: 'calibrated' };
    }
    return { tokens: estimateTokens(messages, model), cached: 0, source: 'estimate' };
  }

  /**
   * An answer (or a stopped one) reported what its prompt was: the conversation learns from it. Not from an answer
   * that compacted (`compacted`): its usage adds the compaction's own tokens to a prompt the API then replaced by
   * the summary, so it measures neither what was sent nor what the next request will send.
   */
  observe(request: TurnRequest, usage: Usage | undefined, compacted = false): void {
    if (!usage || !(promptTokens(usage) > 0) || compacted) return;
    const key = keyOf(request);
    let c = this.conversations.get(key);
    if (c) this.conversations.delete(key); // re-inserted below: the map's order is the order of use
    else c = { tokens: new ConversationTokens({ model: request.target.model, backend: request.target.backend, accuracy: this.accuracy }), turns: 0, cachedPrefix: 0 };
    c.tokens.observe(promptMessages(request), promptTokens(usage));
    c.turns += 1;
    c.cachedPrefix = usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h;
    this.conversations.set(key, c);
    if (this.conversations.size > MAX_CONVERSATIONS) this.conversations.delete(this.conversations.keys().next().value!);
  }
}

const keyOf = (r: TurnRequest) => `${r.instance.name}\u0000${r.target.backend}\u0000${r.target.model}`;
