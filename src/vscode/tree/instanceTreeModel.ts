import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import type { InstanceInfo } from '../../core/instanceInfo';
import { Disposable } from '../../core/lifecycle';

/**
 * The tree's data: instances arranged by lineage. Roots are instances without a live parent; a fork sits under its
 * parent, as deep as the lineage goes. It fires `onDidChangeData` with the one instance whose node changed, or
 * undefined when the shape changed. Stream deltas never reach it; status and turn ends do.
 */
export class InstanceTreeModel extends Disposable {
  private readonly _onDidChangeData = this._register(new vscode.EventEmitter<string | undefined>());
  readonly onDidChangeData = this._onDidChangeData.event;

  constructor(private readonly fleet: Fleet) {
    super();
    const shape = () => this._onDidChangeData.fire(undefined);
    const node = (e: { name: string }) => this._onDidChangeData.fire(e.name);
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

  busyCount(): number {
    return this.fleet.list().filter((i) => i.status === 'busy').length;
  }
}
