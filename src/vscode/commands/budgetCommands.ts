import * as vscode from 'vscode';
import { money, type Budgets } from '../../core/cost/budgets';
import type { CapKind } from '../../core/cost/budgetCaps';
import type { Fleet } from '../../core/fleet';
import { instanceFor } from '../input/pickers';
import { askText, pickOne } from '../input/quickInput';
import { reporting } from './asking';
import type { Command } from './command';

const SETTING: Record<Exclude<CapKind, 'instance'>, string> = { tree: 'treeUsd', daily: 'dailyUsd' };

/** A typed amount: a dollar figure of 0 or more ("$1.50" and "1.5" both read), 0 or empty for no cap. */
export function parseAmount(text: string): number | undefined {
  const t = text.trim().replace(/^\$/, '');
  if (t === '') return 0;
  const n = Number(t);
  return /^\d*\.?\d+$/.test(t) && Number.isFinite(n) ? n : undefined;
}

/**
 * "Set Budget…" on an instance (and "Raise the cap…" on a refused answer): picks which cap, shows what it is and
 * what was spent against it, and sets it: the instance's own cap on the instance, the tree and daily caps in the
 * user settings (they apply to every tree and every day). Scripts and tests may pass `{ name, cap, usd }`.
 */
export class SetBudgetCommand implements Command {
  readonly id = 'llmFleet.setBudget';
  constructor(
    private readonly fleet: Fleet,
    private readonly budgets: Budgets,
  ) {}

  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Set Budget' });
    if (!name) return;
    const given = (typeof arg === 'object' && arg !== null ? arg : {}) as { cap?: CapKind; usd?: number };
    const own = this.fleet.get(name).spec.budgetUsd;
    const caps = this.budgets.current;
    const spent = await this.budgets.spent(name, own);
    const kind = given.cap ?? (await this.pickCap(name, own, caps, spent));
    if (!kind) return;
    const now = kind === 'instance' ? (own ?? caps.instanceUsd) : kind === 'tree' ? caps.treeUsd : caps.dailyUsd;
    const usd = given.usd ?? (await this.askAmount(kind, name, now));
    if (usd === undefined) return;
    await reporting(async () => {
      if (kind === 'instance') this.fleet.setBudget(name, usd);
      else await vscode.workspace.getConfiguration('llmFleet.budget').update(SETTING[kind], usd, vscode.ConfigurationTarget.Global);
    });
  }

  private async pickCap(name: string, own: number | undefined, caps: Budgets['current'], spent: Awaited<ReturnType<Budgets['spent']>>): Promise<CapKind | undefined> {
    const show = (cap: number | undefined, used: number) => `${cap ? `cap ${money(cap)}, ${money(Math.max(0, cap - used))} left` : 'no cap'} · ${money(used)} spent`;
    const items: Array<vscode.QuickPickItem & { cap: CapKind }> = [
      { cap: 'instance', label: `$(law) This instance (${name})`, description: show(own ?? caps.instanceUsd, spent.instanceUsd), detail: own === undefined ? 'Now the default from llmFleet.budget.instanceUsd.' : 'Its own cap.' },
      { cap: 'tree', label: `$(type-hierarchy) Every fork tree (this one: ${spent.tree})`, description: show(caps.treeUsd, spent.treeUsd), detail: 'Setting llmFleet.budget.treeUsd, all time.' },
      { cap: 'daily', label: '$(calendar) Each day, every instance', description: show(caps.dailyUsd, spent.dayUsd), detail: 'Setting llmFleet.budget.dailyUsd, local day.' },
    ];
    return (await pickOne(items, { title: `LLM Fleet: Set Budget for ${name}`, placeholder: 'Which cap?' }))?.cap;
  }

  private async askAmount(kind: CapKind, name: string, now: number | undefined): Promise<number | undefined> {
    const what = kind === 'instance' ? `instance '${name}'` : kind === 'tree' ? 'every fork tree' : 'each day';
    const text = await askText({
      title: `LLM Fleet: Budget for ${what}`,
      value: now ? String(now) : '',
      prompt: 'US dollars, e.g. 2.50; 0 or empty for no cap',
      validate: (v) => (parseAmount(v) === undefined ? 'A dollar amount of 0 or more, such as 2.50.' : undefined),
    });
    return text === undefined ? undefined : parseAmount(text);
  }
}
