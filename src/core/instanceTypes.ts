/**
 * The types an instance is described by (its spec, lineage, last error, the host it reports to), apart from the
 * Instance class itself; ./instance.ts re-exports them, so importers need not know of this file.
 */
import type { AskHandle } from './askHandle';
import type { Cost } from './cost/cost';
import type { Usage } from './cost/usage';
import type { ErrorKind } from './errors';
import type { Instance } from './instance';
import type { BackendKind, Role } from './kinds';
import type { AssistantMessage, UserMessage } from './transcript';
import type { TurnPipeline } from './turn/pipeline';
import type { FallbackLink, TurnEvent } from './turn/types';

export type InstanceStatus = 'idle' | 'busy' | 'error' | 'stopped';

/** What an instance is: chosen at spawn, persisted, and inherited (or overridden) by forks. */
export interface InstanceSpec {
  readonly backend: BackendKind;
  readonly model: string;
  readonly systemPrompt?: string;
  readonly role: Role;
  /** Backend-specific options (JSON), e.g. the Claude Code permission mode. */
  readonly options: Readonly<Record<string, unknown>>;
  /** This instance's own spending cap in dollars (see cost/budgets.ts); absent: none. */
  readonly budgetUsd?: number;
  /** False: the compression stage leaves this instance's context alone (see context/window.ts). */
  readonly compress?: false;
  /** This instance's own fallback chain (see routing/fallback.ts); absent: the global one; []: none. */
  readonly fallback?: readonly FallbackLink[];
}

/** Where an instance came from, when it is a fork. */
export interface Lineage {
  readonly parent: string;
  /** Id of the last message inherited from the parent; absent when the parent had none. */
  readonly forkPoint?: string;
  readonly forkedAt: number;
  /** Set when the fork crossed to another backend: the parent's backend. */
  readonly fromBackend?: BackendKind;
  /** The first instance of this fork tree, kept even after it is killed, so a tree's spend stays one tree. */
  readonly root?: string;
}

export interface LastError {
  readonly kind: ErrorKind | 'unknown';
  readonly message: string;
  readonly hint?: string;
  readonly at: number;
}

/** An ask failed, was cancelled or was killed; `answer` holds what text arrived (also in the transcript, unless it never left the queue). */
export class AskFailedError extends Error {
  override readonly name = 'AskFailedError';
  constructor(
    readonly kind: ErrorKind | 'instance_killed' | 'unknown',
    message: string,
    readonly answer: AssistantMessage,
    readonly hint?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The Fleet's side of an instance: the turn pipeline, pricing, time, and where to report what happens. */
export interface InstanceHost {
  readonly pipeline: TurnPipeline;
  now(): number;
  /** Prices usage for the backend that answered. */
  price(backend: BackendKind, usage: Usage, model: string): Cost;
  onStatus(instance: Instance, previous: InstanceStatus): void;
  onTurnStart(instance: Instance, handle: AskHandle, message: UserMessage): void;
  onDelta(instance: Instance, handle: AskHandle, delta: string): void;
  onTurnComplete(instance: Instance, handle: AskHandle, message: AssistantMessage): void;
  /** Something shown about the instance changed outside a status change: its reported model, or its queue. */
  onChange(instance: Instance): void;
  onWarning(instance: Instance, text: string): void;
  /** What the pipeline's stages report besides text: attempts, notes, parts, approvals. */
  onTurnEvent(instance: Instance, handle: AskHandle, event: TurnEvent): void;
  persist(instance: Instance): void;
}
