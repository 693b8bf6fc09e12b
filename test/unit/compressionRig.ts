// A Fleet whose turns pass the compression stage, with the real Anthropic SDK pointed at the loopback fake. The
// fake answers the summarizer (recognised by its system prompt) with `summary(n)`, and every other request with an
// answer of a fixed size, so a long conversation grows at a known rate.
import type { Backend } from '../../src/core/backends/backend';
import { CompressionStage, type CompressionDeps, type CompressionSettings } from '../../src/core/context/window';
import type { TurnStage } from '../../src/core/turn/types';
import { SUMMARIZER_SYSTEM } from '../../src/core/context/summary';
import type { SummaryBill } from '../../src/core/context/summarizer';
import { estimateTokens } from '../../src/core/context/tokens';
import type { Fleet } from '../../src/core/fleet';
import { MemoryStore } from '../../src/core/store';
import type { RecordedRequest } from '../fixtures/anthropicFake';
import { allTexts, type Behaviour } from '../fixtures/anthropicFake';
import { rig, type Rig } from './helpers';

export interface CompressionRig extends Rig {
  compression: CompressionStage;
  store: MemoryStore;
  /** Requests that were turns of the conversation (not the summarizer's). */
  turns(): RecordedRequest[];
  /** Requests the summarizer made. */
  summaries(): RecordedRequest[];
  /** What the summarizer model was billed, as the stage reported it for the ledger. */
  bills: Array<{ instance: string; askId: string; bill: SummaryBill }>;
  /** Text deltas the summarizer's sessions received (so a test knows the stream, and its usage, reached the client). */
  summaryDeltas(): number;
}

export const isSummarizer = (r: RecordedRequest) => systemText(r.body).startsWith(SUMMARIZER_SYSTEM.slice(0, 40));

export function systemText(body: any): string {
  const s = body?.system;
  return typeof s === 'string' ? s : Array.isArray(s) ? s.map((b: any) => b.text).join('\n') : '';
}

/** The pre-flight estimate of what a request sent: its system prompt and messages, as the stage counts them. */
export function sentTokens(r: RecordedRequest): number {
  const system = systemText(r.body);
  return estimateTokens([...(system ? [{ role: 'system', text: system }] : []), ...allTexts(r.body).map((text, i) => ({ role: i % 2 ? 'assistant' : 'user', text }))], r.body.model);
}

/** A structured summary of about `chars` characters (the fake's answer to the summarizer). */
export function longSummary(n: number, chars = 600): string {
  const head = `## Goal\n- continue the review (summary #${n})\n## Decisions and conclusions\n- keep the parser\n## Facts, names, numbers and code identifiers\n- `;
  return (head + 'parseConfig() in src/config.ts; '.repeat(Math.ceil(chars / 32))).slice(0, chars);
}

export interface CompressionRigOptions {
  window?: number;
  summary?: (n: number) => Behaviour;
  answerChars?: number;
  /** Deps to add or replace (an `admit`, a `recordSummary` to a real ledger). */
  deps?: (fleet: () => Fleet) => Partial<CompressionDeps>;
  /** The stages after compression (the ledger's and the budgets'), as src/extension.ts orders them. */
  after?: TurnStage[];
}

export async function compressionRig(settings: Partial<CompressionSettings>, options: CompressionRigOptions = {}): Promise<CompressionRig> {
  let fleet: Fleet | undefined;
  const bills: CompressionRig['bills'] = [];
  let backends: Backend[] = [];
  const compression = new CompressionStage({
    backends: () => backends,
    apply: (name, mark) => fleet!.applyCompression(name, mark),
    ask: async (name, prompt, signal) => {
      // As src/vscode/compression.ts wires it: the turn's cancel cancels the instance's ask.
      const handle = fleet!.ask(name, prompt);
      signal.addEventListener('abort', () => fleet!.cancel(name, handle.id), { once: true });
      const a = await handle;
      return { text: a.text, ...(a.cost ? { cost: a.cost } : {}) };
    },
    price: (b, u, m) => fleet!.price(b, u, m),
    windowOf: async () => options.window ?? 4000,
    recordSummary: (instance, askId, bill) => bills.push({ instance, askId, bill }),
    ...options.deps?.(() => fleet!),
  });
  compression.configure(settings);
  const store = new MemoryStore();
  const r = await rig({ stages: [compression.stage, ...(options.after ?? [])], store });
  fleet = r.fleet;
  let deltas = 0;
  // The real backend, with the summarizer's deltas counted on their way in.
  const spy: Backend = {
    kind: r.backend.kind,
    label: r.backend.label,
    openSession: (init) => {
      const session = r.backend.openSession(init);
      if (!init.instanceName.endsWith(':summarizer')) return session;
      return { runTurn: (input, sink) => session.runTurn(input, { ...sink, delta: (t) => (deltas++, sink.delta(t)) }), get state() { return session.state; }, dispose: () => session.dispose() };
    },
  };
  backends = [spy];
  let summaries = 0;
  const answer = 'The answer, in words of moderate length, for this turn. '.repeat(Math.ceil((options.answerChars ?? 400) / 56)).slice(0, options.answerChars ?? 400);
  r.fake.fallback = (req, n) => (isSummarizer(req) ? (options.summary ?? ((k) => ({ kind: 'reply', text: longSummary(k) })))(++summaries) : { kind: 'reply', text: `#${n} ${answer}` });
  return {
    ...r,
    compression,
    store,
    bills,
    summaryDeltas: () => deltas,
    turns: () => r.fake.messageRequests().filter((q) => !isSummarizer(q)),
    summaries: () => r.fake.messageRequests().filter(isSummarizer),
  };
}

/** The i-th question of a long conversation: about 300 characters, each different. */
export function question(i: number): string {
  return `Question ${i}: please review the next part of the configuration loader and say what should change. `.repeat(3).slice(0, 300) + ` [${i}]`;
}
