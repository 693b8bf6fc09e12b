/**
 * Who writes a compression's summary (`llmFleet.compression.summarizer`): nobody (a pure sliding window), a cheap
 * model picked for the target (the default), a model named as `backend/model`, or a fleet instance by name. A
 * model runs in a one-off session that sees only the summarizer's prompt; an instance is asked like any other ask
 * (its chat shows the request, the ledger and budgets count it).
 */
import { randomUUID } from 'node:crypto';
import type { Backend } from '../backends/backend';
import type { Cost } from '../cost/cost';
import type { Usage } from '../cost/usage';
import { BackendError, errorMessage, type ErrorKind } from '../errors';
import { BACKEND_KINDS, type BackendKind } from '../kinds';
import type { InstanceView, TurnTarget } from '../turn/types';
import { SUMMARIZER_SYSTEM } from './summary';

export type SummarizerChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'auto' }
  | { readonly kind: 'model'; readonly backend: BackendKind; readonly model: string }
  | { readonly kind: 'instance'; readonly name: string };

/** '' or 'auto': a cheap model for the target; 'none': no summarizer; 'backend/model'; else an instance's name. */
export function parseSummarizer(value: string | undefined): SummarizerChoice {
  const v = (value ?? '').trim();
  if (v === '' || v.toLowerCase() === 'auto') return { kind: 'auto' };
  if (v.toLowerCase() === 'none' || v.toLowerCase() === 'off') return { kind: 'none' };
  const slash = v.indexOf('/');
  const backend = v.slice(0, slash) as BackendKind;
  if (slash > 0 && BACKEND_KINDS.includes(backend) && v.length > slash + 1) return { kind: 'model', backend, model: v.slice(slash + 1) };
  return { kind: 'instance', name: v };
}

/** The cheapest current Anthropic model in the price table; local servers summarize with the model they run. */
export const CHEAP_ANTHROPIC_MODEL = 'claude-haiku-4-5';

/** What `auto` means for a target: Anthropic's cheapest model, a local server's own model, nothing for Claude Code. */
export function autoSummarizer(target: TurnTarget): { backend: BackendKind; model: string } | undefined {
  if (target.backend === 'anthropic') return { backend: 'anthropic', model: CHEAP_ANTHROPIC_MODEL };
  if (target.backend === 'ollama' || target.backend === 'openai') return { backend: target.backend, model: target.model };
  return undefined;
}

/** The model a choice runs in a one-off session, for a target; undefined for none, an instance, or no default. */
export function summarizerModel(choice: SummarizerChoice, target: TurnTarget): { backend: BackendKind; model: string } | undefined {
  if (choice.kind === 'model') return { backend: choice.backend, model: choice.model };
  return choice.kind === 'auto' ? autoSummarizer(target) : undefined;
}

/**
 * What a summarizer model's one-off session was billed, for the ledger (an instance's ask is recorded as its own),
 * and how it ended: `failed` when it was billed and then broke off, `refused` when its summary was not used.
 */
export interface SummaryBill {
  readonly backend: BackendKind;
  readonly model: string;
  readonly usage: Usage;
  readonly cost?: Cost;
  readonly latencyMs: number;
  readonly outcome?: 'ok' | 'refused' | 'failed' | 'cancelled';
  readonly errorKind?: ErrorKind;
  /** Why it was refused or failed, for the record's reason. */
  readonly problem?: string;
}

export type SummaryOutcome =
  | { readonly ok: true; readonly text: string; readonly by: string; readonly cost?: Cost; readonly bill?: SummaryBill }
  /** A failure; `bill` when the provider billed it anyway; `cancelled` when the turn's signal stopped it. */
  | { readonly ok: false; readonly reason: string; readonly by?: string; readonly bill?: SummaryBill; readonly cancelled?: boolean };

export interface SummarizerDeps {
  readonly backends: () => Iterable<Backend>;
  /** Asks an instance of the fleet and resolves with its answer's text and cost; the signal cancels that ask. */
  readonly ask?: (name: string, prompt: string, signal: AbortSignal) => Promise<{ text: string; cost?: Cost }>;
  readonly price?: (backend: BackendKind, usage: Usage, model: string) => Cost;
}

export interface SummaryJob {
  readonly instance: InstanceView;
  readonly target: TurnTarget;
  readonly prompt: string;
  readonly signal: AbortSignal;
}

/** Runs the chosen summarizer; never throws for a summarizer's failure (the caller falls back to the window). */
export async function runSummarizer(choice: SummarizerChoice, job: SummaryJob, deps: SummarizerDeps): Promise<SummaryOutcome> {
  if (choice.kind === 'none') return { ok: false, reason: 'no summarizer is set (llmFleet.compression.summarizer is "none")' };
  if (choice.kind === 'instance') {
    const by = choice.name;
    // An instance asked to summarize its own turn would wait for that turn to end: it never would.
    if (by === job.instance.name) return { ok: false, by, reason: `'${by}' cannot summarize its own conversation while it answers; name another instance or a backend/model` };
    if (!deps.ask) return { ok: false, by, reason: 'instances cannot be asked from here' };
    try {
      const answer = await deps.ask(by, `${SUMMARIZER_SYSTEM}\n\n${job.prompt}`, job.signal);
      return { ok: true, text: answer.text, by, ...(answer.cost ? { cost: answer.cost } : {}) };
    } catch (e) {
      return { ok: false, by, reason: `the summarizer instance '${by}' failed: ${errorMessage(e)}`, ...(job.signal.aborted ? { cancelled: true } : {}) };
    }
  }
  const model = summarizerModel(choice, job.target);
  if (!model) return { ok: false, reason: `there is no default summarizer for ${job.target.backend}; set llmFleet.compression.summarizer` };
  const by = `${model.backend}/${model.model}`;
  const backend = [...deps.backends()].find((b) => b.kind === model.backend);
  if (!backend) return { ok: false, by, reason: `the ${model.backend} backend is not available` };
  const session = backend.openSession({ instanceName: `${job.instance.name}:summarizer`, model: model.model, systemPrompt: SUMMARIZER_SYSTEM, role: 'worker', options: {} });
  let text = '';
  const started = Date.now();
  try {
    const out = await session.runTurn({ history: [{ id: randomUUID(), role: 'user', text: job.prompt, at: Date.now() }], signal: job.signal }, { delta: (t) => (text += t) });
    const answered = out.usage.model ?? model.model;
    const cost = deps.price?.(model.backend, out.usage, answered);
    const bill: SummaryBill = { backend: model.backend, model: answered, usage: out.usage, ...(cost ? { cost } : {}), latencyMs: Date.now() - started };
    return { ok: true, text, by, ...(cost ? { cost } : {}), bill };
  } catch (e) {
    const reason = `the summarizer ${by} failed: ${errorMessage(e)}`;
    const cancelled = job.signal.aborted;
    // Broken off after the provider billed the prompt (a dropped stream, an error event, the user's cancel): the
    // spend still goes to the ledger, marked as what it was.
    const usage = e instanceof BackendError ? e.usage : undefined;
    const kind = e instanceof BackendError ? e.kind : undefined;
    let bill: SummaryBill | undefined;
    if (usage) {
      const answered = usage.model ?? model.model;
      const cost = deps.price?.(model.backend, usage, answered);
      bill = { backend: model.backend, model: answered, usage, ...(cost ? { cost } : {}), latencyMs: Date.now() - started, outcome: cancelled ? 'cancelled' : 'failed', ...(kind ? { errorKind: kind } : {}), problem: reason };
    }
    return { ok: false, by, reason, ...(bill ? { bill } : {}), ...(cancelled ? { cancelled: true } : {}) };
  } finally {
    await session.dispose();
  }
}
