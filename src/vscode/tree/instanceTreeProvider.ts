import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import { INSTANCE_CONTEXT } from '../contextValues';
import { describeInstance, iconFor, tooltipMarkdown } from '../presentation';
import type { InstanceTreeModel } from './instanceTreeModel';

/** A node is just the instance's name; commands invoked from the tree receive it as their argument. */
export interface InstanceNode {
  readonly name: string;
}

/** Maps the model to tree items and refreshes only the node that changed. */
export class InstanceTreeProvider extends Disposable implements vscode.TreeDataProvider<InstanceNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<InstanceNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  /** The same node object per name, so VS Code can match refreshes to what it shows. */
  private readonly nodes = new Map<string, InstanceNode>();

  constructor(private readonly model: InstanceTreeModel) {
    super();
    this._register(
      model.onDidChangeData((name) => {
        if (name === undefined) {
          this.nodes.clear();
          this._onDidChangeTreeData.fire(undefined);
        } else if (this.nodes.has(name)) {
          this._onDidChangeTreeData.fire(this.nodes.get(name));
        }
      }),
    );
  }

  getChildren(element?: InstanceNode): InstanceNode[] {
    const infos = element ? this.model.children(element.name) : this.model.roots();
    return infos.sort((a, b) => a.createdAt - b.createdAt).map((i) => this.node(i.name));
  }

  getParent(element: InstanceNode): InstanceNode | undefined {
    const parent = this.model.parent(element.name);
    return parent ? this.node(parent) : undefined;
  }

  getTreeItem(element: InstanceNode): vscode.TreeItem {
    const info = this.model.info(element.name);
    if (!info) return new vscode.TreeItem(element.name);
    const hasChildren = this.model.children(info.name).length > 0;
    const item = new vscode.TreeItem(info.name, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = info.name;
    const money = this.model.money(info);
    item.description = [describeInstance(info), money.description].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString([tooltipMarkdown(info), ...(money.tooltip.length ? ['', ...money.tooltip] : [])].join('\n'), true);
    tooltip.isTrusted = false;
    item.tooltip = tooltip;
    const icon = iconFor(info);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = INSTANCE_CONTEXT[info.status];
    item.command = { command: 'llmFleet.openChat', title: 'Open Chat', arguments: [element] };
    item.accessibilityInformation = { label: `${info.name}, ${item.description}` };
    return item;
  }

  /** The node of an instance (the same object each time, as VS Code needs for reveal and refresh). */
  node(name: string): InstanceNode {
    let node = this.nodes.get(name);
    if (!node) {
      node = { name };
      this.nodes.set(name, node);
    }
    return node;
  }
}
