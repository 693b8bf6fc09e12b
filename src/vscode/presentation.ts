/**
 * How instances look in the tree, the status bar and pickers. Pure functions over InstanceInfo, no `vscode`
 * import, so they can be tested in plain Node.
 */
import { BACKEND_LABELS, type BackendKind } from '../core/kinds';
import { formatUsd } from '../core/cost/cost';
import { promptTokens } from '../core/cost/usage';
import type { InstanceInfo } from '../core/instanceInfo';
import { briefChain } from './chainEditing';

export { BACKEND_LABELS };

/** Codicon per backend; busy and error states override it. */
export const BACKEND_ICONS: Readonly<Record<BackendKind, string>> = {
  claudeCode: 'terminal',
  anthropic: 'cloud',
  ollama: 'server-process',
  openai: 'globe',
};

export interface IconSpec {
  readonly id: string;
  /** A theme color id, when the state deserves one. */
  readonly color?: string;
}

export function iconFor(info: InstanceInfo): IconSpec {
  if (info.status === 'busy') return { id: 'loading~spin' };
  if (info.status === 'error') return { id: 'error', color: 'errorForeground' };
  return { id: BACKEND_ICONS[info.backend] };
}

/** The total in dollars, or "unpriced" when nothing could be priced; a "+" marks a partly priced total. */
export function costLabel(info: Pick<InstanceInfo, 'cost' | 'messageCount'>): string {
  const { usd, unpricedRequests } = info.cost;
  if (unpricedRequests > 0 && usd === 0) return 'unpriced';
  return formatUsd(usd) + (unpricedRequests > 0 ? '+' : '');
}

/** `model · status · $cost`, the tree description. */
export function describeInstance(info: InstanceInfo): string {
  const status = info.queued > 0 ? `${info.status} (+${info.queued} queued)` : info.status;
  return `${info.model} · ${status} · ${costLabel(info)}${info.answeredByFallback ? ' · ↪ fallback' : ''}`;
}

export function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toLocaleString('en-US');
}

/** Escapes text from providers and models before it goes into Markdown. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function tooltipMarkdown(info: InstanceInfo): string {
  const u = info.usage;
  const rows: Array<[string, string]> = [
    ['Backend', BACKEND_LABELS[info.backend]],
    ['Model', info.model === info.requestedModel ? info.model : `${info.model} (asked for ${info.requestedModel})`],
    ['Role', info.role],
    ['Status', info.status + (info.queued ? `, ${info.queued} queued` : '')],
  ];
  const session = info.session?.sessionId;
  if (typeof session === 'string') rows.push(['Session', session]);
  rows.push(['Tokens', `${formatTokens(promptTokens(u))} in (${formatTokens(u.cacheRead)} cache read, ${formatTokens(u.cacheWrite5m + u.cacheWrite1h)} cache write) · ${formatTokens(u.output)} out`]);
  rows.push(['Cost', costLabel(info) + (info.cost.unpricedRequests ? ` (${info.cost.unpricedRequests} unpriced request(s))` : '')]);
  rows.push(['Messages', String(info.messageCount)]);
  // Only the instance's own chain: the global one is the same for every instance (Set Fallback Chain… shows it).
  if (info.fallback?.length) rows.push(['Fallback', briefChain(info.fallback)]);
  if (info.lineage) {
    const crossed = info.lineage.fromBackend ? ` (from ${BACKEND_LABELS[info.lineage.fromBackend]})` : '';
    rows.push(['Forked from', `${info.lineage.parent}${crossed}${info.lineage.forkPoint ? ` at message ${info.lineage.forkPoint.slice(0, 8)}` : ' (empty)'}`]);
  }
  const lines = [`**${escapeMarkdown(info.name)}**`, '', ...rows.map(([k, v]) => `${k}: ${escapeMarkdown(v)}  `)];
  if (info.answeredByFallback) lines.push('', `$(debug-step-over) ${escapeMarkdown(info.answeredByFallback)}`);
  if (info.lastError) {
    lines.push('', `$(error) Last error (${info.lastError.kind}): ${escapeMarkdown(info.lastError.message)}`);
    if (info.lastError.hint) lines.push('', `Next step: ${escapeMarkdown(info.lastError.hint)}`);
  }
  return lines.join('\n');
}
