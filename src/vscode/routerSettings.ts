import * as vscode from 'vscode';
import type { BackendFinding } from '../core/backends/detect';
import type { Budgets } from '../core/cost/budgets';
import type { BackendKind } from '../core/kinds';
import type { Logger } from '../core/log';
import { Router, type RouterOptions } from '../core/routing/router';
import { parseRouterSettings } from '../core/routing/routerRules';
import type { TurnRequest } from '../core/turn/types';

export interface RouterDeps {
  readonly log: Logger;
  /** What detection found. */
  readonly findings: () => readonly BackendFinding[];
  /** Backend health (cooldowns, open circuits). */
  readonly isAvailable?: (backend: BackendKind) => boolean;
  readonly budgets?: Budgets;
  readonly price?: RouterOptions['price'];
}

/**
 * The router as the extension runs it: the backends detection found usable, health from the resilience registry,
 * the budget left from the budget caps and the ledger, and `llmFleet.router.*` read raw (like the budgets) so a bad
 * rule is said, never quietly replaced by the default. Settings changes apply to the next auto turn.
 */
export function createRouter(deps: RouterDeps): { router: Router; disposable: vscode.Disposable } {
  const router = new Router({
    // Detection's usable backends; with none found usable (or no probe yet), every backend stays a candidate, so
    // the backend's own error ("no API key", "Ollama is not running") says what to do rather than the router.
    backends: () => {
      const usable = deps.findings().filter((f) => f.usable).map((f) => f.kind);
      return usable.length === 0 ? undefined : usable;
    },
    isAvailable: deps.isAvailable,
    budgetLeft: deps.budgets ? (request) => budgetLeft(deps.budgets!, request) : undefined,
    price: deps.price,
  });
  const apply = () => {
    const c = vscode.workspace.getConfiguration('llmFleet.router');
    const parsed = parseRouterSettings({ policy: c.get('policy'), rules: c.get('rules') });
    for (const problem of parsed.problems) deps.log.warn(`Settings: ${problem}`);
    if (parsed.problems.length > 0) void vscode.window.showWarningMessage(`LLM Fleet: ${parsed.problems[0]}`);
    router.configure(parsed);
  };
  apply();
  const disposable = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmFleet.router') && apply());
  return { router, disposable };
}

/** Dollars left under the tightest cap that applies to the request's instance; undefined when no cap applies. */
async function budgetLeft(budgets: Budgets, request: TurnRequest): Promise<number | undefined> {
  const own = request.instance.spec.budgetUsd;
  if (!budgets.anyCap(own)) return undefined;
  const { caps: applying } = await budgets.spent(request.instance.name, own);
  return applying.length === 0 ? undefined : Math.max(0, Math.min(...applying.map((c) => c.usd - c.spent)));
}
