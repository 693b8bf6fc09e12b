import type { BackendSession, SessionState } from '../backends/backend';
import type { Message } from '../transcript';
import type { TurnTarget } from './types';

/** Opens a session on a target; `state` only for the instance's own target (restored or forked). */
export type OpenSession = (target: TurnTarget, state: SessionState | undefined) => BackendSession;

interface Held {
  readonly session: BackendSession;
  /** How many transcript messages this session has seen: a stateful one holds that much context itself. */
  seen: number;
  /** Its last turn failed: the answer the transcript keeps for it may have come from elsewhere (a fallback). */
  failed?: boolean;
}

const keyOf = (t: TurnTarget) => `${t.backend}\u0000${t.model}`;

/**
 * An instance's sessions, one per target, opened when a turn first goes there and disposed with the instance, so
 * one turn can run on another backend than the last. A stateful session (Claude Code keeps its own context) that
 * missed turns answered elsewhere is replaced by a fresh one, which the backend seeds from the whole transcript.
 */
export class InstanceSessions {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly home: TurnTarget,
    private readonly open: OpenSession,
    homeState: SessionState | undefined,
    seenByHome: number,
  ) {
    this.held.set(keyOf(home), { session: open(home, homeState), seen: seenByHome });
  }

  /** The instance's own session: its state is what persists, and what a fork on the same backend copies. */
  get primary(): BackendSession {
    return this.held.get(keyOf(this.home))!.session;
  }

  /** The session for a turn to `target`, whose history (ending with the new question) is `history`. */
  async forTurn(target: TurnTarget, history: readonly Message[]): Promise<BackendSession> {
    const key = keyOf(target);
    let held = this.held.get(key);
    // Everything before the new question must be context the session already has; otherwise start it over. A turn
    // it failed and another target answered (a fallback) left it without that answer: it starts over too.
    const answer = held?.failed ? history[held.seen - 1] : undefined;
    const answeredElsewhere = answer?.role === 'assistant' && answer.status === 'complete';
    if (held?.session.stateful && (held.seen !== history.length - 1 || answeredElsewhere)) {
      this.held.delete(key);
      await held.session.dispose();
      held = undefined;
    }
    if (!held) {
      held = { session: this.open(target, undefined), seen: 0 };
      this.held.set(key, held);
    }
    return held.session;
  }

  /** A turn on `target` settled (or `failed`): the session has seen the transcript up to `length` messages. */
  settled(target: TurnTarget, length: number, failed = false): void {
    const held = this.held.get(keyOf(target));
    if (!held) return;
    held.seen = length;
    held.failed = failed;
  }

  async dispose(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.allSettled(all.map((h) => h.session.dispose()));
  }
}
