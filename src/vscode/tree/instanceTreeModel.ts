import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import type { InstanceInfo } from '../../core/instanceInfo';

/**
 * The tree's data: instances arranged by lineage. Roots are instances without a live parent; a fork sits under its
 * parent, as deep as the lineage goes. It fires `onDidChangeData` with the one instance whose node changed, or
 * undefined when the shape changed. Stream deltas never reach it; status and turn ends do.
 */
export class InstanceTreeModel implements vscode.Disposable {
  private readonly _onDidChangeData = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeData = this._onDidChangeData.event;
  private readonly subscriptions: vscode.Disposable[] = [this._onDidChangeData];

  constructor(private readonly fleet: Fleet) {
    const shape = () => this._onDidChangeData.fire(undefined);
    const node = (e: { name: string }) => this._onDidChangeData.fire(e.name);
    this.subscriptions.push(
      fleet.onDidSpawn(shape),
      fleet.onDidKill(shape),
      fleet.onDidRename(shape),
      fleet.onDidChangeStatus(node),
      fleet.onDidCompleteTurn(node),
      fleet.onDidChangeInstance(node),
    );
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

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
