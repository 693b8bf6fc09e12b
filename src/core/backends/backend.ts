/**
 * The backend contract: a backend opens sessions; a session streams one turn at a time, can be cancelled with an
 * AbortSignal, reports usage in one shape, and may fork itself. Failures are thrown as classified BackendErrors.
 */
import type { Usage } from '../cost/usage';
import type { BackendKind, Role } from '../kinds';
import type { AnswerPart, ApiCompaction, Message } from '../transcript';

/** A setting a backend reads when it needs it (so a change applies at once), or a fixed value. */
export type Live<T> = T | (() => T);

export function current<T>(value: Live<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}

/** Backend-owned state that must survive a window reload (e.g. the Claude Code session id). JSON only. */
export type SessionState = Record<string, string | number | boolean | null>;

export interface SessionInit {
  readonly instanceName: string;
  /** The instance's name as it is now (a rename changes it while the session lives); default: `instanceName`. */
  readonly currentName?: () => string;
  readonly model: string;
  readonly systemPrompt?: string;
  readonly role: Role;
  /** Backend-specific options from the spawn spec (JSON). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Restored or forked state; undefined for a brand-new session. */
  readonly state?: SessionState;
  /**
   * The instance's spending backstop in dollars as it is now ("Set Budget…" changes it while the session lives), for
   * a backend that enforces one of its own (Claude Code's `--max-budget-usd`); read before each turn.
   */
  readonly spendCapUsd?: () => number | undefined;
}

export interface TurnInput {
  /** The whole transcript, ending with the new user message. Stateless backends send it; stateful ones may not. */
  readonly history: readonly Message[];
  readonly signal: AbortSignal;
  /** The provider's own context management, where the compression stage chose it (the Anthropic API); others ignore it. */
  readonly contextManagement?: ApiContextManagement;
  /** The SDK's retries for this request, overriding the client's (0 inside a fallback chain); undefined: the client's. */
  readonly sdkRetries?: number;
}

/** The Anthropic API's context management, as the compression stage asks for it (see anthropic.ts for the wire form). */
export interface ApiContextManagement {
  /** Input tokens past which the API clears old tool results. */
  readonly triggerTokens: number;
  /** Tool uses kept, newest first. */
  readonly keepToolUses: number;
  /** Server-side compaction (`compact_20260112`) past this many input tokens; absent: none. */
  readonly compactTriggerTokens?: number;
}

export interface TurnSink {
  /** A piece of answer text, in order. */
  delta(text: string): void;
  /** The model the provider says is answering, as soon as it is known. */
  model?(id: string): void;
  /** A warning worth showing to the user (e.g. an unrecognized model name). */
  warning?(text: string): void;
  /** Something the backend did worth showing on the answer, e.g. Claude Code compacting its context. */
  note?(text: string): void;
}

export interface TurnOutput {
  readonly usage: Usage;
  readonly stopReason?: string;
  /** Backend's own id for the answer, used to fork at this message (Claude Code message uuid). */
  readonly backendMessageId?: string;
  /** Tool calls, tool results and reasoning that came with the answer. */
  readonly parts?: readonly AnswerPart[];
  /** The Anthropic API's compaction block, when it compacted during this answer. */
  readonly apiCompaction?: ApiCompaction;
}

/** Where a fork starts: the source's transcript is cut after `messageId`. */
export interface ForkRequest {
  readonly messageId?: string;
  /** The backend's own id of that message, when the source recorded one. */
  readonly backendMessageId?: string;
  readonly isLatest: boolean;
}

export interface BackendSession {
  runTurn(input: TurnInput, sink: TurnSink): Promise<TurnOutput>;
  /**
   * The session keeps its own context (a Claude Code process): it reads only the new message of `history`, and a
   * fresh one seeds itself from the whole history. Absent: every turn sends the whole history.
   */
  readonly stateful?: boolean;
  /** State to persist; read after each turn. */
  readonly state: SessionState | undefined;
  /**
   * Produce state for a child session on the same backend. Absent: the backend is stateless and the copied
   * transcript is the whole context.
   */
  fork?(request: ForkRequest): Promise<SessionState | undefined>;
  /** Frees what the session holds; for process backends, resolves once the process has exited. */
  dispose(): Promise<void>;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Human name, e.g. "Anthropic API". */
  readonly label: string;
  openSession(init: SessionInit): BackendSession;
}
