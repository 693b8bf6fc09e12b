import * as vscode from 'vscode';
import type { BudgetCaps } from '../../core/cost/budgets';
import type { Fleet } from '../../core/fleet';
import { CONTEXT_KEYS, INSTANCES_VIEW } from '../contextValues';
import { InstanceTreeModel } from './instanceTreeModel';
import { InstanceTreeProvider, type InstanceNode } from './instanceTreeProvider';

/** The Instances view: tree, busy badge, and the context key the welcome view reads. */
export function registerInstanceTree(fleet: Fleet, caps?: () => BudgetCaps): { disposable: vscode.Disposable; view: vscode.TreeView<InstanceNode>; provider: InstanceTreeProvider; refreshMoney: () => void } {
  const model = new InstanceTreeModel(fleet, caps);
  const provider = new InstanceTreeProvider(model);
  const view = vscode.window.createTreeView(INSTANCES_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  const update = () => {
    const busy = model.busyCount();
    view.badge = busy > 0 ? { value: busy, tooltip: `${busy} instance(s) answering` } : undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasInstances, fleet.list().length > 0);
  };
  update();
  // A new fork is shown where it lives: revealing it expands its parent (VS Code keeps a node collapsed that had no
  // children when it was first drawn) and selects it. On the next turn of the event loop, after the view has taken
  // the refresh that the spawn caused, or reveal would not find the node yet.
  let revealTimer: NodeJS.Timeout | undefined;
  const showFork = fleet.onDidSpawn((info) => {
    if (!info.lineage || !view.visible) return;
    clearTimeout(revealTimer);
    revealTimer = setTimeout(() => {
      if (fleet.has(info.name)) view.reveal(provider.node(info.name), { select: true, focus: false }).then(undefined, () => undefined);
    }, 0);
  });
  const stopRevealing = new vscode.Disposable(() => clearTimeout(revealTimer));
  return { disposable: vscode.Disposable.from(view, provider, model, model.onDidChangeData(update), showFork, stopRevealing), view, provider, refreshMoney: () => model.refreshAll() };
}
