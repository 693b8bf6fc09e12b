import type * as vscode from 'vscode';
import type { Command } from './command';

export class ShowLogCommand implements Command {
  readonly id = 'llmFleet.showLog';
  constructor(private readonly log: vscode.LogOutputChannel) {}
  execute(): void {
    this.log.show(true);
  }
}
