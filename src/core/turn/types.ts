/**
 * One turn, as the pipeline sees it. Everything that runs between an instance's queue and a backend (budgets,
 * compression, routing, fallback, the ledger) is a `TurnStage`: it gets the request, may change it, may answer
 * without sending, may call `next` once, several times or on another target, and reports what it does as events.
 */
import type { Cost } from '../cost/cost';
import type { Usage } from '../cost/usage';
import type { ApiContextManagement } from '../backends/backend';
import type { BackendKind } from '../kinds';
import type { AnswerPart, ApiCompaction, Message, TurnAttempt } from '../transcript';

export type { TurnAttempt };

/** Where a turn is sent: a backend and a model. */
export interface TurnTarget {
  readonly backend: BackendKind;
  readonly model: string;
}

/** One link of a fallback chain: a target, and its context window when the built-in table does not know it. */
export interface FallbackLink extends TurnTarget {
  readonly contextWindow?: number;
}

/** What a stage may know of the instance it works for; it cannot ask, cancel or change it. */
export interface InstanceView {
  readonly name: string;
  readonly spec: { readonly backend: BackendKind; readonly model: string; readonly systemPrompt?: string; readonly role: string; readonly budgetUsd?: number; readonly fallback?: readonly FallbackLink[]; readonly compress?: boolean };
  readonly status: string;
  /** The model last reported, else the one asked for. */
  readonly model: string;
  readonly totals: { readonly usage: Usage; readonly cost: { readonly usd: number; readonly unpricedRequests: number } };
  readonly transcript: readonly Message[];
}

export interface TurnRequest {
  readonly instance: InstanceView;
  readonly askId: string;
  /** The transcript the target will see, ending with the new user message. */
  readonly history: readonly Message[];
  readonly target: TurnTarget;
  /** Why this target, when a stage chose it (shown with the attempt). */
  readonly reason?: string;
  readonly signal: AbortSignal;
  /** The user chose "Send anyway, once": a budget stage lets this one ask through (and says so). */
  readonly overrideBudget?: boolean;
  /** Set by the compression stage when the provider's own context management is chosen (the Anthropic API). */
  readonly contextManagement?: ApiContextManagement;
  /** Set by a fallback stage on each try it makes: which try of the ask this is, and the target it replaces. */
  readonly chain?: { readonly attempt: number; readonly fallbackFrom?: TurnTarget };
  /** The SDK's own retries for this request; a fallback stage sets 0, since its chain's attempts are the retries. */
  readonly sdkRetries?: number;
}

/** What a turn reports as it goes. */
export type TurnEvent =
  | { readonly type: 'delta'; readonly text: string }
  /** The model the provider says is answering. */
  | { readonly type: 'model'; readonly id: string }
  | { readonly type: 'warning'; readonly text: string }
  /** A tool call, tool result or reasoning, as it arrives. */
  | { readonly type: 'part'; readonly part: AnswerPart }
  /** A target is being tried, and why. */
  | { readonly type: 'attempt'; readonly attempt: TurnAttempt }
  /** An explanation worth showing: the router's choice, a compression, a budget warning. */
  | { readonly type: 'note'; readonly stage: string; readonly text: string }
  /** The budget stage's pre-flight count of this attempt's prompt tokens, kept by the ledger beside what was reported. */
  | { readonly type: 'estimate'; readonly inputTokens: number; readonly source?: EstimateSource }
  /** A tool asks to run (Claude Code approvals, to come): the stage that raised it waits for the answer. */
  | { readonly type: 'approval'; readonly tool: string; readonly input: unknown };

/** How a pre-flight count was made: the model's tokenizer, the character estimate, calibrated by reported usage, or Claude's count_tokens. */
export type EstimateSource = 'tokenizer' | 'estimate' | 'calibrated' | 'count_tokens';

export interface TurnResult {
  readonly text: string;
  /** The backend and model that answered (the model as the provider reported it). */
  readonly backend: BackendKind;
  readonly model: string;
  readonly usage: Usage;
  readonly cost: Cost;
  readonly latencyMs: number;
  readonly firstTokenMs?: number;
  readonly backendMessageId?: string;
  readonly parts?: readonly AnswerPart[];
  /** The Anthropic API's compaction block that came with the answer, kept on the message (see transcript.ts). */
  readonly apiCompaction?: ApiCompaction;
  /** Every try, in order; the last one answered. */
  readonly attempts: readonly TurnAttempt[];
}

export type TurnEmit = (event: TurnEvent) => void;
/**
 * Runs the rest of the pipeline. A stage that passes its own `emit` sees (and may change or hold back) every event
 * of the stages after it and of the session; without one, they report to the stage's own `emit`.
 */
export type TurnNext = (request: TurnRequest, emit?: TurnEmit) => Promise<TurnResult>;
export type TurnStage = (request: TurnRequest, next: TurnNext, emit: TurnEmit) => Promise<TurnResult>;
/** The session's own run, at the end of the pipeline. */
export type TurnTerminal = (request: TurnRequest, emit: TurnEmit) => Promise<TurnResult>;
