import { randomUUID } from 'node:crypto';
import { AskHandle } from './askHandle';
import type { SessionState } from './backends/backend';
import { addCost, type CostTotal } from './cost/cost';
import { addUsage, emptyUsage, type Usage } from './cost/usage';
import { FleetError } from './errors';
import { askTarget, checkAskOptions, type AskOptions } from './routing/askRoute';
import type { AssistantMessage, Message, TurnAttempt, UserMessage } from './transcript';
import { answerOf, classifyFailure, failedAnswerOf, type Failure, type TurnFrame } from './turn/outcome';
import { runOnSession } from './turn/sessionStage';
import type { InstanceSessions } from './turn/sessions';
import type { InstanceView, TurnEvent, TurnRequest, TurnResult } from './turn/types';
import { AskFailedError, type InstanceHost, type InstanceSpec, type InstanceStatus, type LastError, type Lineage } from './instanceTypes';

export { AskFailedError, type InstanceHost, type InstanceSpec, type InstanceStatus, type LastError, type Lineage } from './instanceTypes';

interface Pending {
  readonly handle: AskHandle;
  readonly controller: AbortController;
  readonly options: AskOptions;
}

/** What views may read of an instance: everything it shows, nothing that acts on it. */
export type InstanceReadout = Pick<
  Instance,
  'name' | 'spec' | 'status' | 'model' | 'totals' | 'transcript' | 'settledTranscript' | 'lineage' | 'lastError' | 'queued' | 'currentAsk' | 'createdAt' | 'sessionState'
>;

/** A turn in flight: its request, the attempts made so far, and its own clock. */
interface Turn {
  readonly request: TurnRequest;
  readonly attempts: readonly TurnAttempt[];
  readonly emit: (event: TurnEvent) => void;
  frame(): TurnFrame;
}

/**
 * One live conversation: a state machine (idle, busy, error, stopped), its transcript, and a FIFO queue of asks.
 * One turn runs at a time; later asks wait their turn (a Claude Code process merges lines written mid-turn).
 */
export class Instance implements InstanceView {
  private _status: InstanceStatus = 'idle';
  private _lastError: LastError | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  /** The question of the turn in flight: in the transcript, but not settled context until its answer follows. */
  private pendingQuestion: UserMessage | undefined;
  /** Set by `stop`: why every ask it ends fails, the one in flight included. */
  private killedMessage: string | undefined;
  private _totals: { usage: Usage; cost: CostTotal };
  /** The model the provider last reported; until then, the model asked for. */
  private _reportedModel: string | undefined;

  constructor(
    private _name: string,
    private _spec: InstanceSpec,
    private readonly sessions: InstanceSessions,
    private readonly host: InstanceHost,
    private readonly messages: Message[] = [],
    private _lineage?: Lineage,
    readonly createdAt: number = host.now(),
  ) {
    this._totals = { usage: emptyUsage(), cost: { usd: 0, unpricedRequests: 0 } };
    for (const m of messages) this.count(m);
    this._reportedModel = messages.findLast((m): m is AssistantMessage => m.role === 'assistant' && !m.inherited)?.model;
  }

  get name(): string {
    return this._name;
  }

  get spec(): InstanceSpec {
    return this._spec;
  }

  /** @internal The Fleet changes what may change while the instance lives: its cap, compression, fallback chain (specEdits.ts). */
  respec(spec: InstanceSpec): void {
    this._spec = spec;
  }

  /** @internal The Fleet marks messages (compression, pins); messages are replaced, never removed. */
  editTranscript(edit: (messages: Message[]) => void): void {
    edit(this.messages);
  }

  get lineage(): Lineage | undefined {
    return this._lineage;
  }

  /** @internal The Fleet renames; it also re-points the children's lineage. */
  setName(name: string): void {
    this._name = name;
  }

  /** @internal */
  /** @internal An ancestor was renamed: the lineage follows it. */
  renameAncestor(oldName: string, newName: string): void {
    const l = this._lineage;
    if (!l || (l.parent !== oldName && l.root !== oldName)) return;
    this._lineage = { ...l, parent: l.parent === oldName ? newName : l.parent, ...(l.root === oldName ? { root: newName } : {}) };
  }

  get status(): InstanceStatus {
    return this._status;
  }

  get lastError(): LastError | undefined {
    return this._lastError;
  }

  get transcript(): readonly Message[] {
    return this.messages;
  }

  /** The transcript without the question still being answered: what a fork may copy. */
  get settledTranscript(): readonly Message[] {
    const pending = this.pendingQuestion;
    return pending ? this.messages.filter((m) => m !== pending) : this.messages;
  }

  get model(): string {
    return this._reportedModel ?? this.spec.model;
  }

  get totals(): { readonly usage: Usage; readonly cost: CostTotal } {
    return this._totals;
  }

  get sessionState(): SessionState | undefined {
    return this.sessions.primary.state;
  }

  /** Asks waiting behind the current one. */
  get queued(): readonly AskHandle[] {
    return this.queue.map((p) => p.handle);
  }

  get currentAsk(): AskHandle | undefined {
    return this.current?.handle;
  }

  ask(prompt: string, options?: AskOptions): AskHandle {
    if (this._status === 'stopped') {
      throw new FleetError('instance_killed', `Instance '${this.name}' was killed. Spawn it again to use it.`);
    }
    const handle = new AskHandle(this.name, prompt, randomUUID());
    this.queue.push({ handle, controller: new AbortController(), options: checkAskOptions(options) });
    if (this.current) this.host.onChange(this); // it waits: the queue shown grows
    else void this.drain();
    return handle;
  }

  /**
   * Stops one ask: the turn in flight (its partial answer is kept) when `askId` is absent or names it, or a queued
   * ask, which leaves the queue without ever being sent. Other asks carry on. False when there was nothing to stop.
   */
  cancel(askId?: string): boolean {
    if (askId === undefined || this.current?.handle.id === askId) {
      if (!this.current) return false;
      this.current.controller.abort();
      return true;
    }
    const i = this.queue.findIndex((p) => p.handle.id === askId);
    if (i < 0) return false;
    const [{ handle }] = this.queue.splice(i, 1);
    handle.reject(new AskFailedError('cancelled', 'Cancelled before it was sent.', this.unsent('cancelled', 'Cancelled before it was sent.')));
    this.host.onChange(this); // the queue shown shrinks
    return true;
  }

  forkState(messageId: string | undefined, isLatest: boolean): Promise<SessionState | undefined> {
    const session = this.sessions.primary;
    if (!session.fork) return Promise.resolve(undefined);
    const m = messageId === undefined ? undefined : this.messages.find((x) => x.id === messageId);
    const backendMessageId = m?.role === 'assistant' ? m.backendMessageId : undefined;
    return session.fork({ messageId, backendMessageId, isLatest });
  }

  /**
   * Ends the instance: aborts the turn, rejects queued asks, waits for the backend to let go. Every ask it ends fails
   * alike (`instance_killed`), in flight or queued, so callers need one check; a queued one never started: its text is ''.
   */
  async stop(): Promise<void> {
    if (this._status === 'stopped') return;
    const message = (this.killedMessage = `Instance '${this.name}' was killed.`);
    for (const { handle } of this.queue.splice(0)) handle.reject(new AskFailedError('instance_killed', message, this.unsent('cancelled', message)));
    this.current?.controller.abort();
    this.setStatus('stopped');
    await this.sessions.dispose();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this._status !== 'stopped') {
      const next = this.queue.shift()!;
      this.current = next;
      // Busy to busy fires no status change, yet the queue shown just shrank.
      if (this._status === 'busy') this.host.onChange(this);
      try {
        await this.runTurn(next);
      } finally {
        this.current = undefined;
      }
    }
  }

  /** One turn: the question goes into the transcript, the pipeline answers it, and the answer is recorded. */
  private async runTurn({ handle, controller, options }: Pending): Promise<void> {
    const turn = this.startTurn(handle, controller.signal, options);
    try {
      const result = await this.host.pipeline.run(turn.request, turn.emit, (r, emit) => this.runOnTarget(r, emit));
      const answer = answerOf(result, turn.frame());
      this.finish(answer, handle);
      if (this._status !== 'stopped') this.setStatus(this.idleUnlessQueued());
      handle.resolve(answer);
    } catch (e) {
      this.fail(handle, turn, classifyFailure(e, controller.signal.aborted, this.killedMessage));
    }
  }

  private startTurn(handle: AskHandle, signal: AbortSignal, { overrideBudget, ...route }: AskOptions): Turn {
    const started = this.host.now();
    const user: UserMessage = { id: randomUUID(), role: 'user', text: handle.prompt, at: started };
    this.messages.push(user);
    this.pendingQuestion = user;
    this.setStatus('busy');
    this.host.onTurnStart(this, handle, user);
    const target = askTarget(this.spec, route);
    let firstTokenMs: number | undefined;
    const attempts: TurnAttempt[] = [];
    return {
      request: { instance: this, askId: handle.id, history: this.messages.slice(), target, signal, ...(overrideBudget ? { overrideBudget } : {}) },
      attempts,
      emit: (event) => {
        if (event.type === 'delta') firstTokenMs ??= this.host.now() - started;
        if (event.type === 'attempt') attempts.push(event.attempt);
        this.onEvent(handle, event);
      },
      frame: () => ({ id: handle.id, at: this.host.now(), latencyMs: this.host.now() - started, firstTokenMs }),
    };
  }

  /** The pipeline's last stage: the session for the request's target runs it. */
  private async runOnTarget(request: TurnRequest, emit: (event: TurnEvent) => void): Promise<TurnResult> {
    const session = await this.sessions.forTurn(request.target, request.history);
    let failed = true;
    try {
      const result = await runOnSession(session, request, emit, this.host);
      failed = false;
      return result;
    } finally {
      // It has seen the question and whatever answer came (a stateful session keeps even a partial one).
      this.sessions.settled(request.target, request.history.length + 1, failed);
    }
  }

  /** A failed turn keeps the text that arrived; the last attempt carries the error. */
  private fail(handle: AskHandle, turn: Turn, failure: Failure): void {
    const last = turn.attempts.at(-1) ?? turn.request.target;
    const tried = failure.attempts ?? turn.attempts.map((a) => (a === last ? { ...a, error: { kind: failure.kind, message: failure.message } } : a));
    const answer = failedAnswerOf(failure, { ...turn.frame(), text: handle.text, backend: last.backend, model: this.model }, tried);
    this.finish(answer, handle);
    if (!failure.cancelled) this._lastError = { kind: failure.kind, message: failure.message, hint: failure.hint, at: answer.at };
    if (this._status !== 'stopped') this.setStatus(failure.cancelled ? this.idleUnlessQueued() : 'error');
    handle.reject(new AskFailedError(failure.rejectKind, failure.message, answer, failure.hint, failure.retryAfterMs));
  }

  /** Text reaches the ask's handle and the views; the provider's model becomes the one shown. */
  private onEvent(handle: AskHandle, event: TurnEvent): void {
    switch (event.type) {
      case 'delta':
        handle.push(event.text);
        this.host.onDelta(this, handle, event.text);
        return;
      case 'model':
        if (event.id !== this._reportedModel) {
          this._reportedModel = event.id;
          this.host.onChange(this);
        }
        return;
      case 'warning':
        this.host.onWarning(this, event.text);
        return;
      default:
        this.host.onTurnEvent(this, handle, event);
    }
  }

  private finish(answer: AssistantMessage, handle: AskHandle): void {
    this.pendingQuestion = undefined;
    this.messages.push(answer);
    this.count(answer);
    this.host.onTurnComplete(this, handle, answer);
    this.host.persist(this);
  }

  /** The answer of an ask that never left the queue: empty, and never in the transcript. */
  private unsent(kind: 'cancelled', message: string): AssistantMessage {
    return { id: randomUUID(), role: 'assistant', backend: this.spec.backend, text: '', status: 'cancelled', model: this.model, latencyMs: 0, at: this.host.now(), error: { kind, message } };
  }

  /** With asks waiting, the instance goes straight on to the next: it is never idle in between. */
  private idleUnlessQueued(): InstanceStatus {
    return this.queue.length > 0 ? 'busy' : 'idle';
  }

  /** Adds an answer's usage and cost to the totals; a fork's inherited answers were paid for by its parent. */
  private count(m: Message): void {
    if (m.role !== 'assistant' || m.inherited) return;
    if (m.usage) this._totals = { ...this._totals, usage: addUsage(this._totals.usage, m.usage) };
    if (m.cost) this._totals = { ...this._totals, cost: addCost(this._totals.cost, m.cost) };
  }

  private setStatus(status: InstanceStatus): void {
    const previous = this._status;
    if (previous === status) return;
    this._status = status;
    this.host.onStatus(this, previous);
  }
}
