/**
 * A compression summary is spend of the turn it is made for, asked before that turn reaches the budget stage. So
 * before the summarizer model is asked, what it would cost is estimated (what it reads, plus a bounded answer, at
 * the Fleet's prices) and put to the same caps (day, tree, instance) through an injected `admit`, which the host
 * wires to the budget stage (src/extension.ts → Budgets.admit). Refused: no summary, the sliding window instead.
 */
import type { Cost } from '../cost/cost';
import { emptyUsage, type Usage } from '../cost/usage';
import type { BackendKind } from '../kinds';
import type { InstanceView } from '../turn/types';
import { SUMMARIZER_SYSTEM } from './summary';
import { estimateTokens, withSystemPrompt } from './tokens';

/** What is put to the caps: who pays, for which model, and the estimate. */
export interface SummaryAdmissionRequest {
  readonly instance: InstanceView;
  readonly askId: string;
  readonly backend: BackendKind;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cost: Cost;
  /** The user chose "Send anyway, once" for the turn: its summary goes unchecked too. */
  readonly overrideBudget?: boolean;
}

/** Admitted (hold the room until `release` with the real cost, once the record is on the ledger), or which cap refused. */
export type SummaryAdmission =
  | { readonly ok: true; release(usd?: number): void }
  | { readonly ok: false; readonly cap: 'daily' | 'tree' | 'instance'; readonly message: string };

export type AdmitSummary = (request: SummaryAdmissionRequest) => Promise<SummaryAdmission>;

/** The estimate of one summary: the summarizer's system prompt and prompt as sent, and at most `maxOutput` tokens back. */
export function summaryEstimate(
  prompt: string,
  model: { backend: BackendKind; model: string },
  maxOutput: number,
  price: ((backend: BackendKind, usage: Usage, model: string) => Cost) | undefined,
): { inputTokens: number; outputTokens: number; cost: Cost } {
  const inputTokens = estimateTokens(withSystemPrompt(SUMMARIZER_SYSTEM, [{ role: 'user', text: prompt }]), model.model);
  const usage: Usage = { ...emptyUsage(), input: inputTokens, output: maxOutput };
  // Without a price function nothing can be said of the cost: unpriced, never $0.
  const cost: Cost = price?.(model.backend, usage, model.model) ?? { usd: undefined, basis: 'unpriced' };
  return { inputTokens, outputTokens: maxOutput, cost };
}

/** The budget stage's side of it, as the host wires it (structurally Budgets.admit, so this file needs no cost stage). */
export interface SummaryBudgets {
  admit(name: string, ownCap: number | undefined, usd: number | undefined, what: string): Promise<SummaryAdmission>;
}

/** `admit` on the budget caps; "Send anyway, once" on the turn covers its summary too. */
export function budgetAdmit(budgets: SummaryBudgets): AdmitSummary {
  return async (r) => {
    if (r.overrideBudget) return { ok: true, release: () => undefined };
    return budgets.admit(r.instance.name, r.instance.spec.budgetUsd, r.cost.usd, `the compression summary by ${r.backend}/${r.model}`);
  };
}
