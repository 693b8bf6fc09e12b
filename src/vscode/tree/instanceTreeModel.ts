import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import type { InstanceInfo } from '../../core/instanceInfo';
import type { BudgetCaps } from '../../core/cost/budgets';
import { Disposable } from '../../core/lifecycle';
import { treeMoney, type TreeMoney } from './treeMoney';

/**
 * The tree's data: instances arranged by lineage. Roots are instances without a live parent; a fork sits under its
 * parent, as deep as the lineage goes. It fires `onDidChangeData` with the one instance whose node changed, or
 * undefined when the shape changed. Stream deltas never reach it; status and turn ends do.
 */
export class InstanceTreeModel extends Disposable {
  private readonly _onDidChangeData = this._register(new vscode.EventEmitter<string | undefined>());
  readonly onDidChangeData = this._onDidChangeData.event;

  constructor(
    private readonly fleet: Fleet,
    private readonly caps?: () => BudgetCaps,
  ) {
    super();
    const shape = () => this._onDidChangeData.fire(undefined);
    const node = (e: { name: string }) => {
      this._onDidChangeData.fire(e.name);
      // A member's spend is part of its root's tree total (and of what is left of the tree's cap).
      const root = this.fleet.has(e.name) ? this.fleet.treeRoot(e.name) : e.name;
      if (root !== e.name) this._onDidChangeData.fire(root);
    };
    for (const event of [fleet.onDidSpawn, fleet.onDidKill, fleet.onDidRename]) this._register(event(shape));
    for (const event of [fleet.onDidChangeStatus, fleet.onDidCompleteTurn, fleet.onDidChangeInstance]) this._register(event(node));
  }

  roots(): InstanceInfo[] {
    return this.fleet.list().filter((i) => !i.lineage || !this.fleet.has(i.lineage.parent));
  }

  children(name: string): InstanceInfo[] {
    return this.fleet.list().filter((i) => i.lineage?.parent === name);
  }

  info(name: string): InstanceInfo | undefined {
    return this.fleet.has(name) ? this.fleet.status(name) : undefined;
  }

  parent(name: string): string | undefined {
    const parent = this.info(name)?.lineage?.parent;
    return parent && this.fleet.has(parent) ? parent : undefined;
  }

  /** Caps changed (settings): every node's "left" may have. */
  refreshAll(): void {
    this._onDidChangeData.fire(undefined);
  }

  money(info: InstanceInfo): TreeMoney {
    return treeMoney(info, { all: this.fleet.list(), treeRoot: (n) => this.fleet.treeRoot(n), caps: this.caps?.(), ownCap: this.fleet.get(info.name).spec.budgetUsd });
  }

  busyCount(): number {
    return this.fleet.list().filter((i) => i.status === 'busy').length;
  }
}
