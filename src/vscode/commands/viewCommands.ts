import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import { fleetSpentToday } from '../statusBar';
import { usageReport } from '../usageReport';
import type { Command } from './command';

/** Usage: a Markdown preview of tokens and cost per instance. */
export class ShowUsageCommand implements Command {
  readonly id = 'llmFleet.showUsage';
  constructor(private readonly fleet: Fleet) {}
  async execute(): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: usageReport(this.fleet.list(), fleetSpentToday(this.fleet)) });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  }
}
