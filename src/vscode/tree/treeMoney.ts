/**
 * Money on the Instances tree: a tree root shows its whole tree's spend, and where a cap applies, what is left of it.
 * Figures come from the instances' own totals (synchronous, as a tree item must be), so a killed fork's spend is not
 * in a tree total here; the budget stage enforces with the ledger, which keeps it. No `vscode` import: testable.
 */
import { formatUsd } from '../../core/cost/cost';
import { money, type BudgetCaps } from '../../core/cost/budgets';
import type { InstanceInfo } from '../../core/instanceInfo';

export interface TreeMoney {
  /** Appended to the item's description, e.g. "tree $0.40 · $0.60 left". Empty when there is nothing to add. */
  readonly description: string;
  /** Markdown lines for the tooltip. */
  readonly tooltip: readonly string[];
}

export interface MoneyContext {
  /** Every live instance, for tree totals. */
  readonly all: readonly InstanceInfo[];
  readonly treeRoot: (name: string) => string;
  readonly caps?: BudgetCaps;
  /** The instance's own cap (spec.budgetUsd), when it has one. */
  readonly ownCap?: number;
}

export function treeMoney(info: InstanceInfo, ctx: MoneyContext): TreeMoney {
  const root = safeRoot(ctx, info.name);
  const members = ctx.all.filter((i) => safeRoot(ctx, i.name) === root);
  const treeUsd = members.reduce((n, i) => n + i.cost.usd, 0);
  const parts: string[] = [];
  const tooltip: string[] = [];
  const isRoot = root === info.name;
  if (isRoot && members.length > 1) {
    parts.push(`tree ${formatUsd(treeUsd)}`);
    tooltip.push(`Tree spend: ${formatUsd(treeUsd)} (${members.length} instances)  `);
  } else if (!isRoot) {
    tooltip.push(`Tree spend: ${formatUsd(treeUsd)} (tree '${root}')  `);
  }
  const lefts: number[] = [];
  const instanceCap = ctx.ownCap ?? ctx.caps?.instanceUsd;
  if (instanceCap) {
    const left = instanceCap - info.cost.usd;
    lefts.push(left);
    tooltip.push(`Budget: ${money(Math.max(0, left))} left of this instance's ${money(instanceCap)} cap${ctx.ownCap === undefined ? ' (from settings)' : ''}  `);
  }
  if (ctx.caps?.treeUsd) {
    const left = ctx.caps.treeUsd - treeUsd;
    lefts.push(left);
    tooltip.push(`Budget: ${money(Math.max(0, left))} left of the tree's ${money(ctx.caps.treeUsd)} cap  `);
  }
  if (lefts.length > 0) {
    const left = Math.min(...lefts);
    parts.push(left <= 0 ? 'budget spent' : `${money(left)} left`);
  }
  return { description: parts.join(' · '), tooltip };
}

function safeRoot(ctx: MoneyContext, name: string): string {
  try {
    return ctx.treeRoot(name);
  } catch {
    return name;
  }
}
