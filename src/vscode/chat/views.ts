/**
 * Conversions from core data to the chat protocol's views. Pure, no `vscode`, so they can be tested in plain Node.
 */
import { answeredBy } from '../../core/routing/fallback';
import { isAuto } from '../../core/routing/router';
import type { ErrorKind } from '../../core/errors';
import { formatUsd, type Cost } from '../../core/cost/cost';
import { costMismatch } from '../../core/cost/ledgerRecord';
import type { Usage } from '../../core/cost/usage';
import type { InstanceReadout } from '../../core/instance';
import { toInfo } from '../../core/instanceInfo';
import type { Message } from '../../core/transcript';
import type { ErrorView, InstanceView, MessageView, TokensView } from '../../webview/chat/protocol';
import { BACKEND_LABELS, costLabel } from '../presentation';

export function tokensView(u: Usage): TokensView {
  return { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite5m + u.cacheWrite1h };
}

export function costView(c: Cost | undefined): string | undefined {
  if (!c) return undefined;
  if (c.basis === 'local') return '$0 (local)';
  if (c.basis === 'reported') return `${formatUsd(c.usd)} (reported; not in the price table)`;
  return formatUsd(c.usd);
}

/** An error with a next step the user can take; some steps are a button that runs a command. */
export function errorView(e: { kind: ErrorKind | 'unknown' | string; message: string; hint?: string }): ErrorView {
  if (e.kind === 'budget_exceeded') return { kind: e.kind, message: e.message, hint: e.hint, action: { title: 'Raise the cap…', command: 'llmFleet.setBudget' }, sendAnyway: { title: 'Send anyway, once' } };
  const action = e.kind === 'auth' ? { title: 'Set API Key…', command: 'llmFleet.setApiKey' as const } : e.kind === 'unknown' || e.kind === 'server' ? { title: 'Show Log', command: 'llmFleet.showLog' as const } : undefined;
  return { kind: e.kind, message: e.message, hint: e.hint, ...(action ? { action } : {}) };
}


export function messageView(m: Message): MessageView {
  const inherited = { ...(m.inherited ? { inherited: true } : {}), ...compressionMarks(m) };
  if (m.role === 'user') return { id: m.id, role: 'user', text: m.text, at: m.at, ...inherited };
  return {
    id: m.id,
    role: 'assistant',
    text: m.text,
    at: m.at,
    status: m.status,
    model: m.model,
    tokens: m.usage ? tokensView(m.usage) : undefined,
    cost: costView(m.cost),
    reportedCost: m.cost?.reportedUsd !== undefined && m.cost.basis !== 'reported' ? formatUsd(m.cost.reportedUsd) : undefined,
    ...(costMismatch(m.cost) ? { costMismatch: true } : {}),
    latencyMs: m.latencyMs,
    firstTokenMs: m.firstTokenMs,
    error: m.error ? errorView(m.error) : undefined,
    ...(answeredBy(m) ? { fallback: answeredBy(m) } : {}),
    ...inherited,
  };
}

export function instanceView(i: InstanceReadout): InstanceView {
  const info = toInfo(i);
  const current = i.currentAsk;
  return {
    name: info.name,
    backendLabel: BACKEND_LABELS[info.backend],
    model: info.model,
    status: info.status,
    role: info.role,
    ...(isAuto({ backend: info.backend, model: info.requestedModel }) ? { routed: true } : {}),
    totals: { ...tokensView(info.usage), cost: costLabel(info) },
    queued: i.queued.filter((h) => h !== current).map((h) => ({ askId: h.id, text: h.prompt })),
  };
}

/** A message's compression marks, as the chat shows them (see core/transcript.ts `CompressionRecord`). */
function compressionMarks(m: Message): Pick<MessageView, 'pinned' | 'compressedBy' | 'compression'> {
  const r = m.compression;
  return {
    ...(m.pinned ? { pinned: true } : {}),
    ...(m.compressedBy ? { compressedBy: m.compressedBy } : {}),
    ...(r ? { compression: { id: r.id, mode: r.mode, summary: r.summary, dropped: r.dropped, summarizer: r.summarizer, note: r.note, tokensBefore: r.tokensBefore, tokensAfter: r.tokensAfter } } : {}),
  };
}
