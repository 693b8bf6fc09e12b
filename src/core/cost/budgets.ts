/**
 * The budget stage: spending caps per day, per fork tree and per instance. Before a turn is sent it adds what was
 * spent (from the ledger) to what this ask would cost (the history's token estimate at the model's input price, plus
 * an output allowance) and refuses with `budget_exceeded` when a cap would be crossed; near a cap it notes a warning.
 * While the answer streams it prices the output so far and stops the turn once the day's or the tree's cap is
 * crossed (the partial answer is kept). Put it after the ledger stage, so every refusal and stop is a record.
 */
import { BackendError, BUDGET_HINT } from '../errors';
import type { BackendKind } from '../kinds';
import type { TurnEmit, TurnRequest, TurnStage } from '../turn/types';
import { CHARS_PER_TOKEN, estimateTokens } from '../context/tokens';
import { DEFAULT_WARN_AT, money, type BudgetCaps } from './budgetCaps';
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
}

type CapKind = 'daily' | 'tree' | 'instance';

interface Cap {
  readonly kind: CapKind;
  readonly usd: number;
  readonly spent: number;
}

/** What one cap is called in a message, and how its spend is described. */
function describe(cap: Cap, instance: string, tree: string): { name: string; spent: string } {
  if (cap.kind === 'daily') return { name: `The daily cap of ${money(cap.usd)}`, spent: `${money(cap.spent)} spent today` };
  if (cap.kind === 'tree') return { name: `The cap of ${money(cap.usd)} on tree '${tree}'`, spent: `${money(cap.spent)} spent in that tree` };
  return { name: `The cap of ${money(cap.usd)} on instance '${instance}'`, spent: `${money(cap.spent)} spent by it` };
}


export class Budgets {
  private caps: BudgetCaps;
  private readonly price: (backend: BackendKind, usage: Usage, model: string) => Cost;
  private readonly allowance: number;

  constructor(private readonly options: BudgetOptions) {
    this.caps = options.caps ?? { warnAt: DEFAULT_WARN_AT };
    this.price = options.price ?? defaultPrice;
    this.allowance = options.outputAllowanceTokens ?? DEFAULT_OUTPUT_ALLOWANCE_TOKENS;
  }

  /** New caps from settings; the next ask (and the next delta of a running one) is held to them. */
  configure(caps: BudgetCaps): void {
    this.caps = caps;
  }

  get current(): BudgetCaps {
    return this.caps;
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

  /** What a request with these tokens would cost at its target; 0 when the model has no price (it cannot be capped). */
  private cost(request: TurnRequest, input: number, output: number): number {
    const usage = { ...emptyUsage(), input, output };
    return this.price(request.target.backend, usage, request.target.model).usd ?? 0;
  }

  /** The pre-flight estimate: the history (and system prompt) as input, plus the output allowance. */
  estimate(request: TurnRequest): { inputTokens: number; usd: number; free: boolean } {
    const system = request.instance.spec.systemPrompt;
    const messages = [...(system ? [{ role: 'system', text: system }] : []), ...request.history];
    const inputTokens = estimateTokens(messages, request.target.model);
    // A local model (Ollama) costs nothing per token: no cap is crossed by it, even on a day already over.
    const free = this.price(request.target.backend, emptyUsage(), request.target.model).basis === 'local';
    return { inputTokens, usd: this.cost(request, inputTokens, this.allowance), free };
  }

  readonly stage: TurnStage = async (request, next, emit) => {
    const name = request.instance.name;
    if (request.overrideBudget) {
      emit({ type: 'note', stage: 'budget', text: 'Sent anyway, once: the budget caps were not checked for this ask.' });
      return next(request);
    }
    // No cap applies (the default): nothing to estimate or look up.
    if (!(request.instance.spec.budgetUsd ?? this.caps.instanceUsd) && !this.caps.treeUsd && !this.caps.dailyUsd) return next(request);
    const { inputTokens, usd: ask, free } = this.estimate(request);
    if (free) return next(request);
    const { caps, tree } = await this.spent(name, request.instance.spec.budgetUsd);
    if (caps.length === 0) return next(request);
    for (const cap of caps) {
      if (cap.spent + ask <= cap.usd) continue;
      const d = describe(cap, name, tree);
      // Thrown before `next`: nothing is sent, and the ledger stage records the refusal as `blocked`.
      throw new BackendError('budget_exceeded', `${d.name} would be crossed: ${d.spent}, this ask ~ ${money(ask)}. Nothing was sent.`, { hint: BUDGET_HINT });
    }
    const warnAt = this.caps.warnAt;
    for (const cap of caps) {
      const share = (cap.spent + ask) / cap.usd;
      if (share < warnAt) continue;
      const d = describe(cap, name, tree);
      emit({ type: 'note', stage: 'budget', text: `${d.name} is ${Math.round(share * 100)}% used with this ask: ${d.spent}, this ask ~ ${money(ask)}.` });
    }
    return this.watch(request, next, emit, caps, inputTokens, tree);
  };

  /**
   * Runs the turn and prices its output as it streams; once a cap is crossed the turn is stopped (through its own
   * signal, so the user's Stop still means cancelled) and fails with `budget_exceeded`, keeping the partial text.
   */
  private async watch(request: TurnRequest, next: Parameters<TurnStage>[1], emit: TurnEmit, caps: readonly Cap[], inputTokens: number, tree: string): Promise<Awaited<ReturnType<TurnStage>>> {
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
      const sofar = this.cost(request, inputTokens, Math.ceil(chars / CHARS_PER_TOKEN));
      const hit = caps.find((c) => c.spent + sofar > c.usd);
      if (!hit) return;
      const d = describe(hit, request.instance.name, tree);
      crossed = `${d.name} was crossed while answering (${d.spent} before this ask, ~ ${money(sofar)} for it so far), so the answer was stopped. The partial answer is kept.`;
      stop.abort(new Error(crossed));
    };
    try {
      return await next({ ...request, signal: stop.signal }, watching);
    } catch (e) {
      if (crossed && !request.signal.aborted) throw new BackendError('budget_exceeded', crossed, { hint: BUDGET_HINT, cause: e });
      throw e;
    } finally {
      request.signal.removeEventListener('abort', onAbort);
    }
  }
}
