/**
 * Spending caps as settings and spawn options give them, checked once: a cap that is not a usable number is reported
 * (and ignored) here, so the budget stage only ever sees numbers it can compare.
 */
import { FleetError } from '../errors';
import type { InstanceSpec } from '../instance';

export interface BudgetCaps {
  /** Dollars per local day, across every instance and workspace. */
  readonly dailyUsd?: number;
  /** Dollars per fork tree (the root and every fork of it), all time. */
  readonly treeUsd?: number;
  /** Dollars per instance, all time, for instances that were not given their own cap. */
  readonly instanceUsd?: number;
  /** Warn once spend (with this ask) reaches this share of a cap, 0..1. */
  readonly warnAt: number;
}

export const DEFAULT_WARN_AT = 0.8;

/** Which cap: the day's, the fork tree's or the instance's own. */
export type CapKind = 'daily' | 'tree' | 'instance';

export interface BudgetSettings {
  readonly dailyUsd?: unknown;
  readonly treeUsd?: unknown;
  readonly instanceUsd?: unknown;
  readonly warnAt?: unknown;
}

/** "$1.00", "$0.05", "$0.0031": two decimals unless that would print a real amount as $0.00. */
export function money(usd: number): string {
  if (usd === 0) return '$0.00';
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}

/** Empty means "no cap": undefined, null, '' and 0 all do. */
const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || v === 0;

/**
 * Reads the `llmFleet.budget.*` settings. A negative or non-numeric cap becomes a problem (for the log and a
 * warning) and no cap, rather than a cap of $0 that would block everything or a NaN that would block nothing.
 */
export function parseBudgetSettings(raw: BudgetSettings): { caps: BudgetCaps; problems: string[] } {
  const problems: string[] = [];
  const cap = (key: 'dailyUsd' | 'treeUsd' | 'instanceUsd'): number | undefined => {
    const v = raw[key];
    if (isEmpty(v)) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    problems.push(`llmFleet.budget.${key} must be a dollar amount of 0 or more (0 or empty for no cap), not ${JSON.stringify(v)}; that cap is ignored until it is fixed.`);
    return undefined;
  };
  const { dailyUsd, treeUsd, instanceUsd } = { dailyUsd: cap('dailyUsd'), treeUsd: cap('treeUsd'), instanceUsd: cap('instanceUsd') };
  let warnAt = DEFAULT_WARN_AT;
  const w = raw.warnAt;
  if (w !== undefined && w !== null && w !== '') {
    if (typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 1) warnAt = w;
    else problems.push(`llmFleet.budget.warnAt must be a share between 0 and 1 (e.g. 0.8 for 80%), not ${JSON.stringify(w)}; ${DEFAULT_WARN_AT} is used until it is fixed.`);
  }
  const caps: BudgetCaps = { dailyUsd, treeUsd, instanceUsd, warnAt };
  return { caps, problems };
}

/**
 * The spec with an instance's own cap (from spawn or "Set Budget…"); 0 or absent removes it. Anything else that is
 * not a positive dollar amount is refused, so a typo never silently leaves an instance uncapped.
 */
export function withBudget(spec: InstanceSpec, usd: unknown): InstanceSpec {
  const { budgetUsd: _old, ...rest } = spec;
  if (isEmpty(usd)) return rest;
  if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) {
    throw new FleetError('invalid_argument', `A budget must be a dollar amount of 0 or more (0 for no cap), not ${JSON.stringify(usd)}.`);
  }
  return { ...rest, budgetUsd: usd };
}

/**
 * A Claude Code instance's own cap also goes to the CLI (`--max-budget-usd`, honoured in print mode, which is how
 * it runs) as a backstop, unless its options set one. A cap changed later reaches the CLI at the next turn (`cliBackstopUsd`).
 */
export function withCliBackstop(spec: InstanceSpec): Readonly<Record<string, unknown>> {
  const backstop = spec.backend === 'claudeCode' && spec.budgetUsd && spec.options.maxBudgetUsd === undefined;
  return backstop ? { ...spec.options, maxBudgetUsd: spec.budgetUsd } : spec.options;
}

/**
 * The backstop as the spec says now: its own `maxBudgetUsd` option, else its cap. The session reads it before each
 * turn, so "Set Budget…" on a running instance reaches the CLI at its next turn (a new process, resumed).
 */
export function cliBackstopUsd(spec: InstanceSpec): number | undefined {
  const v = withCliBackstop(spec).maxBudgetUsd;
  return typeof v === 'number' ? v : undefined;
}
