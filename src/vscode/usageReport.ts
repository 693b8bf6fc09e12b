/**
 * The usage summary as Markdown: per instance, tokens (cache included) and cost, with the fleet's total. Pure, no
 * `vscode` import. Charts and the persisted ledger come with the dashboard.
 */
import { formatUsd } from '../core/cost/cost';
import type { InstanceInfo } from '../core/instanceInfo';
import { BACKEND_LABELS, costLabel, escapeMarkdown, formatTokens } from './presentation';

export function usageReport(instances: readonly InstanceInfo[], today: { usd: number; unpriced: number }): string {
  const rows = [...instances].sort((a, b) => b.cost.usd - a.cost.usd);
  const total = rows.reduce((s, i) => s + i.cost.usd, 0);
  const unpriced = rows.reduce((s, i) => s + i.cost.unpricedRequests, 0);
  const lines = [
    '# LLM Fleet usage',
    '',
    `Live instances: ${rows.length}. Total: **${formatUsd(total)}**${unpriced ? ` plus ${unpriced} unpriced answer(s)` : ''}. Today: **${formatUsd(today.usd)}**${today.unpriced ? ` plus ${today.unpriced} unpriced` : ''}.`,
    '',
    '| Instance | Backend | Model | Input | Cache read | Cache write | Output | Cost |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...rows.map((i) => {
      const u = i.usage;
      return `| ${escapeMarkdown(i.name)} | ${BACKEND_LABELS[i.backend]} | ${escapeMarkdown(i.model)} | ${formatTokens(u.input)} | ${formatTokens(u.cacheRead)} | ${formatTokens(u.cacheWrite5m + u.cacheWrite1h)} | ${formatTokens(u.output)} | ${costLabel(i)} |`;
    }),
  ];
  if (rows.length === 0) lines.push('', 'No instances yet. Spawn one with **LLM Fleet: Spawn Instance…**.');
  lines.push('', 'Unpriced means the model is not in the price table; its cost is unknown, not $0.');
  return lines.join('\n');
}
