// The Fleet's vocabulary for its callers: the options of its operations and the events it fires.
import type { AskHandle } from './askHandle';
import type { Backend } from './backends/backend';
import type { PricingContext } from './cost/cost';
import type { InstanceStatus } from './instance';
import type { BackendKind, Role } from './kinds';
import type { Logger } from './log';
import type { FleetStore } from './store';
import type { AssistantMessage, UserMessage } from './transcript';
import type { FallbackLink, TurnEvent, TurnStage } from './turn/types';

export interface SpawnOptions {
  backend: BackendKind;
  model: string;
  systemPrompt?: string;
  role?: Role;
  options?: Record<string, unknown>;
  /** The instance's own spending cap in dollars; absent or 0: none. */
  budgetUsd?: number;
  /** False: this instance's context is never compressed (see context/window.ts); absent: the global setting decides. */
  compress?: boolean;
  /** The instance's own fallback chain, tried after its target; absent: the global `llmFleet.fallback.chain`; []: none. */
  fallback?: readonly FallbackLink[];
}

export interface AskOptions {
  /** Let this one ask past the budgets ("Send anyway, once"); the budget stage notes and logs it. */
  overrideBudget?: boolean;
  /**
   * `'auto'` ("Ask with Auto Model…"): the router picks this one ask's backend and model, as for an instance spawned
   * with model `auto`, the instance's own backend being its home; the choice is explained in the turn's note, its
   * attempt and the ledger. The answer joins the transcript with the backend and model that gave it; the next ask
   * without this option goes to the instance's own model. Only `'auto'` is accepted (see routing/askRoute.ts).
   */
  model?: 'auto';
}

export interface ForkOptions {
  /** Fork after this message (inclusive); default: the latest complete message. */
  atMessage?: string;
  /** Cross to another backend; the child is seeded with the text transcript. */
  backend?: BackendKind;
  model?: string;
}

export interface RelayOptions {
  /** Wraps the relayed answer; `{{answer}}` is required, `{{from}}` and `{{to}}` are optional. */
  template?: string;
}

export interface BroadcastOptions {
  /** Called as each member's ask starts, so a view can follow its stream. */
  onAsk?(name: string, handle: AskHandle): void;
}

export const DEFAULT_RELAY_TEMPLATE = 'Message from {{from}}:\n\n{{answer}}';

export interface FleetOptions {
  backends: readonly Backend[];
  store?: FleetStore;
  pricing?: Partial<PricingContext>;
  now?: () => number;
  log?: Logger;
  /** How many instances a broadcast asks at once. */
  broadcastConcurrency?: number;
  /**
   * The turn pipeline's stages, in order (budgets, compression, routing, fallback, the ledger). None: every turn
   * goes straight to the instance's own session.
   */
  stages?: readonly TurnStage[];
}

export interface StatusChange {
  readonly name: string;
  readonly status: InstanceStatus;
  readonly previous: InstanceStatus;
}
export interface StreamDelta {
  readonly name: string;
  readonly askId: string;
  readonly delta: string;
}
export interface TurnStart {
  readonly name: string;
  readonly askId: string;
  /** The question, now in the transcript; it waited in the queue until this turn began. */
  readonly message: UserMessage;
}
/** What a turn's stages reported besides its text: an attempt, a note, a part, an approval request. */
export interface TurnNotice {
  readonly name: string;
  readonly askId: string;
  readonly event: Exclude<TurnEvent, { type: 'delta' | 'model' | 'warning' }>;
}
export interface TurnComplete {
  readonly name: string;
  readonly askId: string;
  readonly message: AssistantMessage;
}
