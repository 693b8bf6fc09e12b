/**
 * The budget stage: spending caps per day, per fork tree and per instance. Before a turn is sent it adds what was
 * spent (from the ledger) and what asks in flight will cost (./budgetReservations.ts) to what this ask would cost
 * (the prompt's token estimate, ./budgetEstimate.ts, at the model's prices, plus an output allowance) and refuses
 * with `budget_exceeded` when a cap would be crossed; near a cap it notes a warning. While the answer streams it
 * prices the output so far and stops the turn once a cap is crossed: a cancellation for that reason, keeping the
 * partial answer. Put it right after the ledger stage, so every refusal, override and stop is a record, and the
 * ledger records its estimate beside the reported usage.
 */
import { BackendError, BUDGET_HINT } from '../errors';
import type { BackendKind } from '../kinds';
import type { TurnEmit, TurnNext, TurnRequest, TurnResult, TurnStage } from '../turn/types';
import { CHARS_PER_TOKEN } from '../context/tokens';
import { DEFAULT_WARN_AT, money, type BudgetCaps, type CapKind } from './budgetCaps';
import { DEFAULT_COUNT_MARGIN, DEFAULT_COUNT_TIMEOUT_MS, exactPrompt, isCloseCall, type BudgetCounter } from './budgetCount';
import { PromptEstimates, type PromptEstimate } from './budgetEstimate';
import { Reservations, type Hold } from './budgetReservations';
import { defaultPrice, type Cost } from './cost';
import type { Ledger } from './ledger';
import { monthBounds, periodRange } from './ledgerQuery';
import { emptyUsage, type Usage } from './usage';

export type { BudgetCaps } from './budgetCaps';
export { parseBudgetSettings, money } from './budgetCaps';

/** Room for the answer in the pre-flight estimate: a typical reply, so a near-cap ask is stopped before it starts. */
export const DEFAULT_OUTPUT_ALLOWANCE_TOKENS = 1000;

export interface BudgetOptions {
  readonly ledger: Pick<Ledger, 'query' | 'summarize' | 'months' | 'now'>;
  /** The root of an instance's fork tree (pass `(n) => fleet.treeRoot(n)`); default: the instance itself. */
  readonly treeRootOf?: (name: string) => string;
  /** Prices as the Fleet does (`(b, u, m) => fleet.price(b, u, m)`); default: the built-in table, Ollama local. */
  readonly price?: (backend: BackendKind, usage: Usage, model: string) => Cost;
  readonly outputAllowanceTokens?: number;
  readonly caps?: BudgetCaps;
  /** Reported answers a conversation needs before its calibrated estimate is used (default MIN_CALIBRATION_TURNS). */
  readonly minCalibrationTurns?: number;
  /** Counts a close call's prompt at the provider (`anthropicBudgetCounter`, ./budgetCount.ts); none: the estimate decides. */
  readonly countTokens?: BudgetCounter;
  /** A close call: an ask within this share of a cap's room (default DEFAULT_COUNT_MARGIN). */
  readonly countMargin?: number;
  readonly countTimeoutMs?: number;
}

interface Estimate {
  readonly inputTokens: number;
  readonly usd: number;
  readonly free: boolean;
  readonly unpriced: boolean;
  readonly prompt: PromptEstimate;
}

interface Cap {
  readonly kind: CapKind;
  readonly usd: number;
  readonly spent: number;
}

/** What one cap is called in a message, and how its spend (and what is in flight against it) is described. */
function describe(cap: Cap, instance: string, tree: string, inFlight = 0): { name: string; spent: string } {
  const flying = inFlight > 0 ? ` and ~ ${money(inFlight)} in asks still running` : '';
  if (cap.kind === 'daily') return { name: `The daily cap of ${money(cap.usd)}`, spent: `${money(cap.spent)} spent today${flying}` };
  if (cap.kind === 'tree') return { name: `The cap of ${money(cap.usd)} on tree '${tree}'`, spent: `${money(cap.spent)} spent in that tree${flying}` };
  return { name: `The cap of ${money(cap.usd)} on instance '${instance}'`, spent: `${money(cap.spent)} spent by it${flying}` };
}


export class Budgets {
  private caps: BudgetCaps;
  private readonly price: (backend: BackendKind, usage: Usage, model: string) => Cost;
  private readonly allowance: number;
  private readonly estimates: PromptEstimates;
  private readonly reservations = new Reservations();

  constructor(private readonly options: BudgetOptions) {
    this.caps = options.caps ?? { warnAt: DEFAULT_WARN_AT };
    this.price = options.price ?? defaultPrice;
    this.allowance = options.outputAllowanceTokens ?? DEFAULT_OUTPUT_ALLOWANCE_TOKENS;
    this.estimates = new PromptEstimates(options.minCalibrationTurns);
  }

  /** New caps from settings; the next ask (and the next delta of a running one) is held to them. */
  configure(caps: BudgetCaps): void {
    this.caps = caps;
  }

  get current(): BudgetCaps {
    return this.caps;
  }

  /** Whether any cap applies to an instance whose own cap is `ownUsd` (none does by default). */
  anyCap(ownUsd: number | undefined): boolean {
    return Boolean((ownUsd ?? this.caps.instanceUsd) || this.caps.treeUsd || this.caps.dailyUsd);
  }

  /** The tree root of an instance, falling back to itself when the host cannot say (a killed instance). */
  treeOf(name: string): string {
    try {
      return this.options.treeRootOf?.(name) ?? name;
    } catch {
      return name;
    }
  }

  /**
   * What was spent against each cap that applies to an instance. An instance's own cap (spawn, "Set Budget…") wins
   * over the instanceUsd setting. Tree and instance spend are all time: from the ledger's first month on.
   */
  async spent(name: string, ownCap?: number): Promise<{ caps: Cap[]; instanceUsd: number; treeUsd: number; dayUsd: number; tree: string }> {
    const { ledger } = this.options;
    const tree = this.treeOf(name);
    const now = ledger.now();
    const day = (await ledger.query({ period: 'day', at: now })).total.usd;
    const first = (await ledger.months())[0];
    const whole = first ? await ledger.summarize({ from: monthBounds(first).from, to: periodRange('month', now).to, tree, groupBy: 'instance' }) : undefined;
    const treeUsd = whole?.total.usd ?? 0;
    const instanceUsd = whole?.groups?.[name]?.usd ?? 0;
    const caps: Cap[] = [];
    const instanceCap = ownCap ?? this.caps.instanceUsd;
    if (instanceCap) caps.push({ kind: 'instance', usd: instanceCap, spent: instanceUsd });
    if (this.caps.treeUsd) caps.push({ kind: 'tree', usd: this.caps.treeUsd, spent: treeUsd });
    if (this.caps.dailyUsd) caps.push({ kind: 'daily', usd: this.caps.dailyUsd, spent: day });
    return { caps, instanceUsd, treeUsd, dayUsd: day, tree };
  }

  /**
   * What a request with this prompt and output would cost at its target; 0 when the model has no price (it cannot
   * be capped). The prefix the provider cached at the last answer is priced as a cache read, the rest as input.
   */
  private cost(request: TurnRequest, prompt: PromptEstimate, output: number): number {
    const usage = { ...emptyUsage(), input: prompt.tokens - prompt.cached, cacheRead: prompt.cached, output };
    return this.price(request.target.backend, usage, request.target.model).usd ?? 0;
  }

  /** The pre-flight estimate: the prompt (system prompt and history), plus the output allowance. */
  estimate(request: TurnRequest): Estimate {
    const prompt = this.estimates.estimate(request);
    const nothing = this.price(request.target.backend, emptyUsage(), request.target.model);
    // A local model (Ollama) costs nothing per token: no cap is crossed by it, even on a day already over.
    const free = nothing.basis === 'local';
    return { inputTokens: prompt.tokens, usd: this.cost(request, prompt, this.allowance), free, unpriced: nothing.usd === undefined, prompt };
  }

  /**
   * Admits spend a turn makes before it reaches this stage (a compression summary: ../context/summaryAdmission.ts)
   * against the same caps, spend and asks in flight, holding it until `release`, called once its record is
   * appended. Refused: which cap, in words, and nothing held. `usd` undefined: unpriced, counted as 0, never said $0.
   */
  async admit(name: string, ownCap: number | undefined, estimate: number | undefined, what: string): Promise<{ ok: true; release(usd?: number): void } | { ok: false; cap: CapKind; message: string }> {
    const usd = estimate ?? 0;
    const pass = { ok: true as const, release: () => undefined };
    if (!this.anyCap(ownCap)) return pass;
    const before = this.reservations.snapshot();
    const { caps, tree } = await this.spent(name, ownCap);
    // As for an ask, nothing awaits between the check and the hold.
    for (const cap of caps) {
      const flying = this.reservations.inFlight(cap.kind, name, tree, before);
      if (cap.spent + flying + usd <= cap.usd) continue;
      const d = describe(cap, name, tree, flying);
      return { ok: false, cap: cap.kind, message: `${d.name} would be crossed by ${what} (${estimate === undefined ? 'unpriced' : `~ ${money(usd)}`}; ${d.spent})` };
    }
    const hold = this.reservations.hold(name, tree, usd);
    // Its record was appended before release: a later check's ledger query sees it, so the hold goes at once.
    return { ok: true, release: (real) => this.reservations.release(hold, real, true) };
  }

  /** Asks admitted and not yet on the ledger (for tests and the log). */
  get inFlight(): number {
    return this.reservations.size;
  }

  readonly stage: TurnStage = async (request, next, emit) => {
    const name = request.instance.name;
    let pre = this.estimate(request);
    // For the ledger record: the estimate beside the usage that will be reported.
    emit({ type: 'estimate', inputTokens: pre.inputTokens, source: pre.prompt.source });
    if (request.overrideBudget) {
      emit({ type: 'note', stage: 'budget', text: 'Sent anyway, once: the budget caps were not checked for this ask.' });
      return this.learn(request, next(request));
    }
    // No cap applies (the default): nothing to look up.
    if (!this.anyCap(request.instance.spec.budgetUsd)) return this.learn(request, next(request));
    if (pre.free) return this.learn(request, next(request));
    let before = this.reservations.snapshot();
    let { caps, tree } = await this.spent(name, request.instance.spec.budgetUsd);
    if (caps.length === 0) return this.learn(request, next(request));
    let flying = caps.map((cap) => this.reservations.inFlight(cap.kind, name, tree, before));
    const exact = await this.closeCall(request, pre, caps, flying, emit);
    if (exact) {
      // The count was awaited: spend and asks in flight are read again, so the decision below sees them as they are.
      pre = exact;
      before = this.reservations.snapshot();
      ({ caps, tree } = await this.spent(name, request.instance.spec.budgetUsd));
      flying = caps.map((cap) => this.reservations.inFlight(cap.kind, name, tree, before));
    }
    // From here to the hold nothing awaits: no other ask can be admitted on the same room in between.
    const ask = pre.usd;
    // A model with no price is counted as 0 against the caps, but never said to cost $0.
    const askText = pre.unpriced ? 'this ask unpriced' : `this ask ~ ${money(ask)}`;
    for (const [i, cap] of caps.entries()) {
      if (cap.spent + flying[i] + ask <= cap.usd) continue;
      const d = describe(cap, name, tree, flying[i]);
      // Thrown before `next`: nothing is sent, and the ledger stage records the refusal as `blocked`.
      throw new BackendError('budget_exceeded', `${d.name} would be crossed: ${d.spent}, ${askText}. Nothing was sent.`, { hint: BUDGET_HINT });
    }
    const hold = this.reservations.hold(name, tree, ask);
    try {
      const warnAt = this.caps.warnAt;
      for (const [i, cap] of caps.entries()) {
        const share = (cap.spent + flying[i] + ask) / cap.usd;
        if (share < warnAt) continue;
        const d = describe(cap, name, tree, flying[i]);
        emit({ type: 'note', stage: 'budget', text: `${d.name} is ${Math.round(share * 100)}% used with this ask: ${d.spent}, ${askText}.` });
      }
      const result = await this.learn(request, this.watch(request, next, emit, caps, pre, tree, before, hold));
      this.reservations.release(hold, result.cost.usd ?? hold.usd);
      return result;
    } catch (e) {
      this.reservations.release(hold, e instanceof BackendError && e.cost ? (e.cost.usd ?? hold.usd) : undefined);
      throw e;
    }
  };

  /**
   * A close call (the estimate puts the ask near a cap's room, so it alone could wrongly block or let through) is
   * settled on the provider's exact count, where one can be had; on failure the estimate decides, and a note says so.
   */
  private async closeCall(request: TurnRequest, pre: Estimate, caps: readonly Cap[], flying: readonly number[], emit: TurnEmit): Promise<Estimate | undefined> {
    const counter = this.options.countTokens;
    if (!counter || pre.unpriced || pre.prompt.source === 'tokenizer') return undefined;
    const margin = this.options.countMargin ?? DEFAULT_COUNT_MARGIN;
    if (!caps.some((cap, i) => isCloseCall(pre.usd, cap.usd - cap.spent - flying[i], margin))) return undefined;
    const { prompt, failed } = await exactPrompt(counter, request, pre.prompt, this.options.countTimeoutMs ?? DEFAULT_COUNT_TIMEOUT_MS);
    if (failed) emit({ type: 'note', stage: 'budget', text: `This ask is close to a budget cap and Claude's ${failed}, so it was checked on the estimate (~ ${pre.inputTokens} prompt tokens).` });
    if (!prompt) return undefined;
    emit({ type: 'estimate', inputTokens: prompt.tokens, source: prompt.source });
    return { ...pre, inputTokens: prompt.tokens, usd: this.cost(request, prompt, this.allowance), prompt };
  }

  /** The conversation learns the reported prompt of each answer (and of a stopped one that reported it). */
  private async learn(request: TurnRequest, turn: Promise<TurnResult>): Promise<TurnResult> {
    try {
      const result = await turn;
      if (result.backend === request.target.backend) this.estimates.observe(request, result.usage, result.apiCompaction !== undefined);
      return result;
    } catch (e) {
      if (e instanceof BackendError && e.usage) this.estimates.observe(request, e.usage);
      throw e;
    }
  }

  /**
   * Runs the turn and prices its output as it streams; once a cap is crossed (counting what the other asks in flight
   * hold) the turn is stopped through its own signal, so the user's Stop still means cancelled, and it ends as a
   * cancellation for the cap's reason (`budget_exceeded`, `stopped`), keeping the partial text and what was billed.
   */
  private async watch(request: TurnRequest, next: TurnNext, emit: TurnEmit, caps: readonly Cap[], pre: { readonly prompt: PromptEstimate; readonly unpriced: boolean }, tree: string, before: ReadonlySet<Hold>, hold: Hold): Promise<TurnResult> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(request.signal.reason);
    if (request.signal.aborted) stop.abort(request.signal.reason);
    else request.signal.addEventListener('abort', onAbort, { once: true });
    let chars = 0;
    let crossed: string | undefined;
    const watching: TurnEmit = (event) => {
      emit(event);
      if (event.type !== 'delta' || crossed) return;
      chars += event.text.length;
      // Characters, not the tokenizer: this runs on every delta and must stay cheap; it errs high like the estimate.
      const sofar = this.cost(request, pre.prompt, Math.ceil(chars / CHARS_PER_TOKEN));
      hold.usd = Math.max(hold.usd, sofar);
      const name = request.instance.name;
      const hit = caps.find((c) => c.spent + this.reservations.inFlight(c.kind, name, tree, before, hold) + sofar > c.usd);
      if (!hit) return;
      const d = describe(hit, name, tree, this.reservations.inFlight(hit.kind, name, tree, before, hold));
      crossed = `${d.name} was crossed while answering (${d.spent} before this ask, ${pre.unpriced ? 'unpriced' : `~ ${money(sofar)}`} for it so far), so the answer was stopped. The partial answer is kept.`;
      stop.abort(new Error(crossed));
    };
    try {
      return await next({ ...request, signal: stop.signal }, watching);
    } catch (e) {
      if (crossed && !request.signal.aborted) {
        const billed = e instanceof BackendError ? e : undefined;
        throw new BackendError('budget_exceeded', crossed, { hint: BUDGET_HINT, cause: e, stopped: true, usage: billed?.usage, cost: billed?.cost });
      }
      throw e;
    } finally {
      request.signal.removeEventListener('abort', onAbort);
    }
  }
}
