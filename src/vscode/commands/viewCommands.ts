import * as vscode from 'vscode';
import type { Budgets } from '../../core/cost/budgets';
import type { Ledger } from '../../core/cost/ledger';
import type { Fleet } from '../../core/fleet';
import { loadUsageReport } from '../usageReport';
import type { Command } from './command';

/** Usage: a Markdown preview of today's and this month's spend per instance, from the usage ledger. */
export class ShowUsageCommand implements Command {
  readonly id = 'llmFleet.showUsage';
  constructor(private readonly fleet: Fleet, private readonly ledger: Ledger, private readonly budgets: Budgets) {}
  async execute(): Promise<void> {
    const content = await loadUsageReport(this.ledger, this.fleet.list().map((i) => i.name), this.budgets.current.dailyUsd);
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  }
}
