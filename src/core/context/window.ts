/**
 * Context compression, a turn stage. When the pre-flight estimate of what a turn would send passes a share of the
 * target's context window, older turns are replaced by a structured summary (or, without a summarizer or with a
 * refused summary, simply left out: a sliding window). Kept verbatim: the system prompt, pinned messages, the last
 * N turns and always the latest request. Nothing is deleted: the dropped messages stay in the transcript, marked
 * (see ../transcript.ts `CompressionRecord`), so the chat can show them and a later turn sends summary + the rest.
 * Claude Code compacts its own context, so its turns pass untouched; for the Anthropic API the user may choose the
 * API's own context management instead (`anthropicMode: 'api'`), which this stage then asks the backend to use.
 * A summary is spend of the turn: its estimate is put to the budget caps first (./summaryAdmission.ts), whatever
 * it was billed goes to the ledger however it ended, and the turn's cancel aborts it with nothing applied.
 */
import { randomUUID } from 'node:crypto';
import { compactionSupported, compactionUnsupportedReason, MIN_COMPACT_TRIGGER } from '../backends/anthropicCompaction';
import type { ApiContextManagement } from '../backends/backend';
import { formatUsd, type Cost } from '../cost/cost';
import { BackendError, FleetError } from '../errors';
import type { Message } from '../transcript';
import type { InstanceView, TurnEmit, TurnRequest, TurnResult, TurnNext, TurnStage, TurnTarget } from '../turn/types';
import { contextWindow } from './contextWindows';
import { runSummarizer, summarizerModel, type SummarizerChoice, type SummarizerDeps, type SummaryBill, type SummaryOutcome } from './summarizer';
import { summaryEstimate, type AdmitSummary } from './summaryAdmission';
import { applyCompressionMark, compressedHistory, latestCompression, summarizerPrompt, summaryProblem, type CompressionMark } from './summary';
import { CHARS_PER_TOKEN, estimateTokens, withSystemPrompt } from './tokens';

export interface CompressionSettings {
  /** `llmFleet.compression.enabled`: off, every turn sends the whole transcript. */
  readonly enabled: boolean;
  /** Compress when the estimate passes this share of the window (0.1..0.95). */
  readonly threshold: number;
  /** Turns kept verbatim before the latest request. */
  readonly keepTurns: number;
  /** A summary shorter than this (characters) is refused and the sliding window used. */
  readonly minSummaryChars: number;
  readonly summarizer: SummarizerChoice;
  /** For Anthropic API targets: our compression, or the API's own context management. */
  readonly anthropicMode: 'fleet' | 'api';
  /** A cap on the window used for the trigger (0: the model's own), to compress early and spend less. */
  readonly maxContextTokens: number;
}

/**
 * The default cap on the window the trigger is a share of. Every turn resends the whole context, so an uncapped
 * conversation's cost grows with the square of its length: at 0.75 of a 200k window the first ~100 turns of the
 * bench go out whole and 200 turns save only 47% of input tokens. At 48k (compressing past 36k) they save 85%
 * (test/bench/compression.bench.ts: 64k saves 81%, 32k 89%), and 36k tokens stay room enough to work in.
 */
export const DEFAULT_MAX_CONTEXT_TOKENS = 48_000;

export const DEFAULT_COMPRESSION: CompressionSettings = {
  enabled: true,
  threshold: 0.75,
  keepTurns: 4,
  minSummaryChars: 200,
  summarizer: { kind: 'auto' },
  anthropicMode: 'fleet',
  maxContextTokens: DEFAULT_MAX_CONTEXT_TOKENS,
};

/** The share of the trigger a summary may take; what it is asked for, and where a longer one is cut. */
const SUMMARY_SHARE = 0.25;

export interface CompressionDeps extends SummarizerDeps {
  /** Records a compression on the instance's transcript (the Fleet's `applyCompression`). */
  readonly apply: (name: string, mark: CompressionMark) => void;
  /**
   * Records what a summarizer model was billed, against the instance compressed and the ask it was for (the ledger):
   * used, refused, failed or cancelled alike, since each was spent. Appends synchronously (the hold of `admit` goes next).
   */
  readonly recordSummary?: (instance: string, askId: string, bill: SummaryBill) => void;
  /** Puts a summary's estimated cost to the budget caps before the summarizer is asked (the host's Budgets.admit). */
  readonly admit?: AdmitSummary;
  /** The target's context window in tokens; default: ./contextWindows.ts with Ollama's own default. */
  readonly windowOf?: (target: TurnTarget, instance: InstanceView, signal: AbortSignal) => Promise<number>;
  readonly now?: () => number;
}

/** What one compression did, for the caller's note and for tests. */
export interface CompressionOutcome {
  readonly history: readonly Message[];
  readonly mark?: CompressionMark;
  readonly note?: string;
}

export class CompressionStage {
  private settings: CompressionSettings = DEFAULT_COMPRESSION;

  constructor(private readonly deps: CompressionDeps) {}

  configure(settings: Partial<CompressionSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  get current(): CompressionSettings {
    return this.settings;
  }

  readonly stage: TurnStage = async (request: TurnRequest, next: TurnNext, emit: TurnEmit): Promise<TurnResult> => {
    const s = this.settings;
    // The CLI keeps and compacts its own context; sending it less would only restart its session.
    if (request.target.backend === 'claudeCode' || !s.enabled || request.instance.spec.compress === false) return next(request);
    // Compaction is what keeps a text conversation in bounds in api mode; on a model the API does not compact for
    // (its docs' list, ../backends/anthropicCompaction.ts), the fleet compresses instead, and says so.
    const apiMode = request.target.backend === 'anthropic' && s.anthropicMode === 'api';
    if (apiMode && !compactionSupported(request.target.model)) {
      emit({ type: 'note', stage: 'compression', text: `context: the fleet compresses it, since ${compactionUnsupportedReason(request.target.model)}` });
    } else if (apiMode) {
      const limit = await this.limit(request.target, request.instance, request.signal);
      // Server-side compaction at the same trigger, raised to the API's minimum; the answer brings the block back.
      const compact = Math.max(limit, MIN_COMPACT_TRIGGER);
      const contextManagement: ApiContextManagement = { triggerTokens: limit, keepToolUses: 3, compactTriggerTokens: compact };
      emit({ type: 'note', stage: 'compression', text: `context: the Anthropic API manages it (clears old tool results past ${limit.toLocaleString('en-US')} tokens, compacts past ${compact.toLocaleString('en-US')})` });
      return next({ ...request, history: compressedHistory(request.history), contextManagement });
    }
    const out = await this.compress(request.instance, request.history, request.target, request.signal, false, request.askId, request.overrideBudget);
    if (out.note) emit({ type: 'note', stage: 'compression', text: out.note });
    return next(out.history === request.history ? request : { ...request, history: out.history });
  };

  /**
   * "Compress Now": compresses an idle instance's transcript whatever its size, keeping the last turns. Throws a
   * FleetError when it cannot (busy, Claude Code, turned off, nothing old enough).
   */
  async compressNow(instance: InstanceView, signal: AbortSignal = new AbortController().signal): Promise<CompressionOutcome> {
    if (instance.spec.backend === 'claudeCode') {
      throw new FleetError('invalid_argument', `'${instance.name}' is a Claude Code instance: the CLI compacts its own context (its compaction shows in the chat).`);
    }
    if (instance.status === 'busy') throw new FleetError('invalid_argument', `'${instance.name}' is answering; compress it once the answer is in.`);
    if (instance.spec.compress === false) throw new FleetError('invalid_argument', `Compression is turned off for '${instance.name}'.`);
    const out = await this.compress(instance, instance.transcript, { backend: instance.spec.backend, model: instance.spec.model }, signal, true, `compress-now:${randomUUID()}`);
    if (!out.mark) throw new FleetError('invalid_argument', out.note ?? `Nothing in '${instance.name}' is old enough to compress.`);
    return out;
  }

  /** Compresses `history` when it is over the limit (or `force`), records the mark, and returns what to send. */
  async compress(instance: InstanceView, history: readonly Message[], target: TurnTarget, signal: AbortSignal, force: boolean, askId: string, overrideBudget?: boolean): Promise<CompressionOutcome> {
    const s = this.settings;
    const sent = compressedHistory(history);
    const count = (messages: readonly Message[]) => this.tokens(instance, target, messages);
    const limit = await this.limit(target, instance, signal);
    const before = count(sent);
    if (!force && before <= limit) return { history: sent.length === history.length && sent.every((m, i) => m === history[i]) ? history : sent };

    const live = history.filter((m) => m.compressedBy === undefined);
    const latest = live.findLastIndex((m) => m.role === 'user');
    if (latest < 0) return { history: sent, note: force ? 'There is no request to keep yet.' : undefined };
    const summaryBudget = Math.floor(limit * SUMMARY_SHARE);
    const starts = live.map((m, i) => (m.role === 'user' && i < latest ? i : -1)).filter((i) => i >= 0);
    // The most turns kept verbatim that still fit beside a summary of its full size; at least the latest request.
    let cut = latest;
    for (let k = Math.min(s.keepTurns, starts.length); k > 0; k--) {
      const c = starts[starts.length - k];
      const keptTokens = count([...live.slice(0, c).filter((m) => m.pinned), ...live.slice(c)]);
      if (keptTokens + summaryBudget <= limit) {
        cut = c;
        break;
      }
    }
    const dropped = live.slice(0, cut).filter((m) => !m.pinned);
    if (dropped.length === 0) return { history: sent, note: force ? 'Nothing is older than the turns kept verbatim.' : `compression: nothing older than the last turns to compress (about ${before.toLocaleString('en-US')} tokens, limit ${limit.toLocaleString('en-US')})` };

    const previous = latestCompression(history);
    const maxWords = Math.max(50, Math.floor(summaryBudget * 0.7));
    const prompt = summarizerPrompt(previous?.summary, dropped, maxWords);
    const { run, refused } = await this.summarize({ instance, target, prompt, signal, askId, overrideBudget, maxOutput: Math.ceil(summaryBudget * 1.5) });
    let summary = run.ok && !refused ? run.text.trim() : previous?.summary;
    // A summary far over its share is cut rather than let it push the turn past the limit it exists to respect.
    if (run.ok && !refused && summary && this.tokens(instance, target, [{ id: '', role: 'user', text: summary, at: 0 }]) > summaryBudget * 1.5) {
      summary = `${summary.slice(0, Math.floor(summaryBudget * CHARS_PER_TOKEN))}\n…(summary cut to fit)`;
    }
    const id = randomUUID();
    const markedCopy = [...history];
    const record = {
      id,
      at: (this.deps.now ?? Date.now)(),
      mode: refused ? ('window' as const) : ('summary' as const),
      ...(summary ? { summary } : {}),
      dropped: dropped.length,
      ...(run.by ? { summarizer: run.by } : {}),
      ...(refused ? { note: `${refused}; the sliding window was used instead` } : {}),
      tokensBefore: before,
      tokensAfter: 0,
    };
    const mark: CompressionMark = { record, droppedIds: dropped.map((m) => m.id) };
    applyCompressionMark(markedCopy, mark);
    const out = compressedHistory(markedCopy);
    const finalMark: CompressionMark = { ...mark, record: { ...record, tokensAfter: count(out) } };
    this.deps.apply(instance.name, finalMark);
    // What is sent holds no dropped message, so the record's final figures change nothing in it.
    return { history: out, mark: finalMark, note: compressionNote(finalMark, run.ok ? run.cost : undefined) };
  }

  /**
   * Asks the summarizer, once the caps admit its estimate (refused: no summary, the reason says which cap), and
   * records what it was billed however it ended. The turn's cancel aborts the summarizer's request at once; then
   * nothing is applied and the turn ends cancelled.
   */
  private async summarize(job: { instance: InstanceView; target: TurnTarget; prompt: string; signal: AbortSignal; askId: string; overrideBudget?: boolean; maxOutput: number }): Promise<{ run: SummaryOutcome; refused?: string }> {
    const { instance, signal, askId } = job;
    const cancelled = () => new BackendError('cancelled', 'Cancelled while the context was being compressed; nothing was sent.');
    if (signal.aborted) throw cancelled();
    const s = this.settings;
    const model = summarizerModel(s.summarizer, job.target);
    let release: ((usd?: number) => void) | undefined;
    if (model && this.deps.admit) {
      const est = summaryEstimate(job.prompt, model, job.maxOutput, this.deps.price);
      // A local model costs nothing per token: no cap can be crossed by it.
      if (est.cost.basis !== 'local') {
        const admission = await this.deps.admit({ instance, askId, ...model, ...est, ...(job.overrideBudget ? { overrideBudget: true } : {}) });
        if (!admission.ok) {
          const reason = `no summary was made: ${admission.message}`;
          return { run: { ok: false, reason }, refused: reason };
        }
        release = admission.release;
      }
    }
    try {
      const run = await runSummarizer(s.summarizer, { instance, target: job.target, prompt: job.prompt, signal }, this.deps);
      const refused = run.ok ? summaryProblem(run.text, s.minSummaryChars) : run.reason;
      // Billed whether the summary is used, refused or broke off: the tokens were spent.
      const bill = run.bill && run.ok && refused ? { ...run.bill, outcome: 'refused' as const, problem: refused } : run.bill;
      if (bill) this.deps.recordSummary?.(instance.name, askId, bill);
      release?.(bill?.cost?.usd);
      release = undefined;
      if (signal.aborted || (!run.ok && run.cancelled)) throw cancelled();
      return { run, ...(refused ? { refused } : {}) };
    } finally {
      release?.();
    }
  }

  private async limit(target: TurnTarget, instance: InstanceView, signal: AbortSignal): Promise<number> {
    const window = this.deps.windowOf ? await this.deps.windowOf(target, instance, signal) : contextWindow(target.backend, target.model);
    const cap = this.settings.maxContextTokens > 0 ? Math.min(window, this.settings.maxContextTokens) : window;
    return Math.floor(cap * this.settings.threshold);
  }

  /** The pre-flight estimate of a request: the system prompt and the messages, as ./tokens.ts counts them. */
  private tokens(instance: InstanceView, target: TurnTarget, messages: readonly Message[]): number {
    return estimateTokens(withSystemPrompt(instance.spec.systemPrompt, messages), target.model);
  }
}

/** The note shown on the answer: "compressed: 40 earlier messages …". */
export function compressionNote(mark: CompressionMark, summaryCost: Cost | undefined): string {
  const r = mark.record;
  const n = `${r.dropped} earlier message${r.dropped === 1 ? '' : 's'}`;
  const tokens = `${r.tokensBefore.toLocaleString('en-US')} → ${r.tokensAfter.toLocaleString('en-US')} tokens`;
  const cost = summaryCost === undefined ? '' : summaryCost.usd === undefined ? ', summary unpriced' : `, summary cost ${formatUsd(summaryCost.usd)}`;
  if (r.mode === 'summary') return `compressed: ${n} into a summary by ${r.summarizer} (${tokens}${cost})`;
  return `compressed: ${n} with a sliding window (${tokens}): ${r.note ?? 'no summarizer'}`;
}
