/**
 * From a turn to ledger records: one per attempt. The stage watches the turn's events (each `attempt` event starts a
 * try; deltas and the reported model belong to the latest), and when the turn settles it lines them up with the
 * attempts the result (or the thrown error) reports. The answered attempt carries the usage and cost; a failed one
 * carries its error kind and the time it took, and no cost (nothing was billed).
 */
import { BackendError, type ErrorKind } from '../errors';
import { attemptsOfError, classifyFailure } from '../turn/outcome';
import type { BackendKind } from '../kinds';
import type { EstimateSource, TurnAttempt, TurnEvent, TurnRequest, TurnResult } from '../turn/types';
import { defaultPrice, type Cost } from './cost';
import { costMismatch, LEDGER_RECORD_VERSION, type LedgerOutcome, type LedgerRecord } from './ledgerRecord';
import { ANTHROPIC_PRICES } from './prices';
import { emptyUsage, promptTokens, type Usage } from './usage';

interface Slot {
  readonly attempt: TurnAttempt;
  readonly started: number;
  firstTokenAt?: number;
  model?: string;
  /** The budget stage's estimate of this try's prompt, which it reports just before the try starts. */
  estimatedInput?: number;
  estimateSource?: EstimateSource;
}

/** The estimate fields of a record: none without an estimate, its source beside it when the budget stage said. */
function estimateOf(tokens: number | undefined, source: EstimateSource | undefined): Pick<LedgerRecord, 'estimatedInput' | 'estimateSource'> {
  if (tokens === undefined) return {};
  return { estimatedInput: tokens, ...(source ? { estimateSource: source } : {}) };
}

/** What the stage saw of each try as it happened. */
export class AttemptTrace {
  readonly started: number;
  readonly slots: Slot[] = [];
  /** An estimate not yet claimed by a try (all a refused ask has). */
  pendingEstimate: number | undefined;
  pendingSource: EstimateSource | undefined;

  constructor(private readonly now: () => number) {
    this.started = now();
  }

  see(event: TurnEvent): void {
    try {
      if (event.type === 'estimate') [this.pendingEstimate, this.pendingSource] = [event.inputTokens, event.source];
      if (event.type === 'attempt') {
        this.slots.push({ attempt: event.attempt, started: this.now(), ...estimateOf(this.pendingEstimate, this.pendingSource) });
        [this.pendingEstimate, this.pendingSource] = [undefined, undefined];
      }
      const slot = this.slots.at(-1);
      if (!slot) return;
      if (event.type === 'delta') slot.firstTokenAt ??= this.now();
      else if (event.type === 'model') slot.model = event.id;
    } catch {
      // Watching must never disturb the turn.
    }
  }
}

export interface RecordContext {
  readonly request: TurnRequest;
  readonly trace: AttemptTrace;
  readonly now: number;
  readonly treeRootOf?: (name: string) => string;
  readonly price?: (backend: BackendKind, usage: Usage, model: string) => Cost;
  readonly priceVersion?: string;
}

/** Savings against the same prompt tokens at the uncached input price; undefined when either side has no price. */
export function cacheSavings(backend: BackendKind, usage: Usage, model: string, cost: Cost, price = defaultPrice): number | undefined {
  if (cost.usd === undefined) return undefined;
  if (usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h === 0 || cost.basis === 'local') return 0;
  // Without the backend's own figure: the uncached price must come from a table, not from what the CLI charged.
  const uncached = price(backend, { ...emptyUsage(), input: promptTokens(usage), output: usage.output, ...(usage.model ? { model: usage.model } : {}) }, model);
  if (uncached.usd === undefined || uncached.basis === 'reported') return undefined;
  return uncached.usd - cost.usd;
}

type Base = Pick<LedgerRecord, 'v' | 'instance' | 'tree' | 'askId' | 'priceVersion' | 'override'>;

function base(ctx: RecordContext): Base {
  const name = ctx.request.instance.name;
  let tree = name;
  try {
    tree = ctx.treeRootOf?.(name) ?? name;
  } catch {}
  return { v: LEDGER_RECORD_VERSION, instance: name, tree, askId: ctx.request.askId, priceVersion: ctx.priceVersion ?? ANTHROPIC_PRICES.version, ...(ctx.request.overrideBudget ? { override: 'budget' as const } : {}) };
}

const NO_TOKENS = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 } as const;

/** A try that did not answer: its time, and no cost. Later tries say which one they replaced. */
function failed(b: Base, ctx: RecordContext, i: number, attempts: readonly TurnAttempt[], outcome: LedgerOutcome, kind: ErrorKind | 'unknown' | undefined, endedAt: number, partial?: BackendError): LedgerRecord {
  const a = attempts[i];
  const slot = ctx.trace.slots[i];
  const started = slot?.started ?? ctx.trace.started;
  const estimate = slot ? estimateOf(slot.estimatedInput, slot.estimateSource) : i === 0 ? estimateOf(ctx.trace.pendingEstimate, ctx.trace.pendingSource) : {};
  return {
    ...b,
    at: endedAt,
    backend: a.backend,
    model: partial?.usage?.model ?? slot?.model ?? a.model,
    attempt: offsetOf(ctx) + i,
    ...(partial?.usage ? billed(a.backend, partial.usage, partial.usage.model ?? slot?.model ?? a.model, partial.cost, ctx) : { ...NO_TOKENS, basis: 'none' as const }),
    latencyMs: Math.max(0, endedAt - started),
    ...(slot?.firstTokenAt !== undefined ? { firstTokenMs: slot.firstTokenAt - started } : {}),
    outcome,
    ...(kind ? { errorKind: kind } : {}),
    ...fallbackFrom(ctx, attempts, i),
    ...(a.reason ? { reason: a.reason } : {}),
    ...estimate,
  };
}

/** The tokens and money of a try the provider billed: its usage, our price, the backend's own, the cache's savings. */
function billed(backend: BackendKind, u: Usage, model: string, given: Cost | undefined, ctx: RecordContext): Pick<LedgerRecord, 'input' | 'output' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead' | 'usd' | 'basis' | 'reportedUsd' | 'mismatch' | 'savedUsd'> & { priceVersion?: string } {
  const cost = given ?? (ctx.price ?? defaultPrice)(backend, u, model);
  const saved = cacheSavings(backend, u, model, cost, ctx.price);
  return {
    input: u.input,
    output: u.output,
    cacheWrite5m: u.cacheWrite5m,
    cacheWrite1h: u.cacheWrite1h,
    cacheRead: u.cacheRead,
    ...(cost.usd !== undefined ? { usd: cost.usd } : {}),
    basis: cost.basis,
    ...(cost.reportedUsd !== undefined ? { reportedUsd: cost.reportedUsd } : {}),
    ...(costMismatch(cost) ? { mismatch: true as const } : {}),
    ...(cost.priceVersion ? { priceVersion: cost.priceVersion } : {}),
    ...(saved !== undefined ? { savedUsd: saved } : {}),
  };
}

/** A fallback stage outside this one sends each try as its own turn, saying which try it is (`request.chain`). */
const offsetOf = (ctx: RecordContext) => ctx.request.chain?.attempt ?? 0;

function fallbackFrom(ctx: RecordContext, attempts: readonly TurnAttempt[], i: number): Pick<LedgerRecord, 'fallbackFrom'> {
  if (i > 0) return { fallbackFrom: { backend: attempts[i - 1].backend, model: attempts[i - 1].model } };
  const from = ctx.request.chain?.fallbackFrom;
  return from ? { fallbackFrom: { backend: from.backend, model: from.model } } : {};
}

/** When the next try started is when this one gave up (as near as the stage can see). */
const endOf = (ctx: RecordContext, i: number) => ctx.trace.slots[i + 1]?.started ?? ctx.now;

function priorFailure(b: Base, ctx: RecordContext, attempts: readonly TurnAttempt[], i: number): LedgerRecord {
  const kind = attempts[i].error?.kind ?? 'unknown';
  return failed(b, ctx, i, attempts, kind === 'cancelled' ? 'cancelled' : 'error', kind, endOf(ctx, i));
}

export function recordsOfTurn(ctx: RecordContext, result: TurnResult): LedgerRecord[] {
  const b = base(ctx);
  const seen = ctx.trace.slots.map((s) => s.attempt);
  const attempts = result.attempts.length >= seen.length ? result.attempts : seen;
  const out: LedgerRecord[] = [];
  for (let i = 0; i < attempts.length - 1; i++) out.push(priorFailure(b, ctx, attempts, i));
  const last = Math.max(0, attempts.length - 1);
  const lastSlot = ctx.trace.slots[last];
  const estimate = lastSlot ? estimateOf(lastSlot.estimatedInput, lastSlot.estimateSource) : ctx.trace.slots.length === 0 ? estimateOf(ctx.trace.pendingEstimate, ctx.trace.pendingSource) : {};
  out.push({
    ...b,
    at: ctx.now,
    backend: result.backend,
    model: result.model,
    attempt: offsetOf(ctx) + last,
    ...billed(result.backend, result.usage, result.model, result.cost, ctx),
    latencyMs: result.latencyMs,
    ...(result.firstTokenMs !== undefined ? { firstTokenMs: result.firstTokenMs } : {}),
    outcome: 'ok',
    ...fallbackFrom(ctx, attempts, last),
    ...(attempts[last]?.reason ? { reason: attempts[last].reason } : {}),
    ...estimate,
  });
  return out;
}

export function recordsOfFailure(ctx: RecordContext, error: unknown): LedgerRecord[] {
  const b = base(ctx);
  const attempts = attemptsOfError(error) ?? ctx.trace.slots.map((s) => s.attempt);
  const be = error instanceof BackendError ? error : undefined;
  // As the transcript reads it: a turn a stage stopped on purpose (a cap crossed mid-answer) is a cancellation with its reason.
  const { kind, cancelled } = classifyFailure(error, ctx.request.signal.aborted, undefined);
  if (attempts.length === 0) {
    // Nothing reached a backend: a stage refused (or the user cancelled while it waited).
    const target = { backend: ctx.request.target.backend, model: ctx.request.target.model, ...(ctx.request.reason ? { reason: ctx.request.reason } : {}) };
    return [failed(b, ctx, 0, [target], cancelled ? 'cancelled' : 'blocked', kind, ctx.now)];
  }
  const out: LedgerRecord[] = [];
  for (let i = 0; i < attempts.length - 1; i++) out.push(priorFailure(b, ctx, attempts, i));
  out.push(failed(b, ctx, attempts.length - 1, attempts, cancelled ? 'cancelled' : 'error', kind, ctx.now, be));
  return out;
}
