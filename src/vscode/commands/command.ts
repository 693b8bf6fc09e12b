import * as vscode from 'vscode';
import type { CommandId } from '../commandIds';

/** One command: an id, dependencies through the constructor, and `execute`. Registered from one table. */
export interface Command {
  readonly id: CommandId;
  execute(...args: unknown[]): unknown;
}

export function registerCommands(commands: readonly Command[]): vscode.Disposable {
  return vscode.Disposable.from(...commands.map((c) => vscode.commands.registerCommand(c.id, (...args: unknown[]) => c.execute(...args))));
}
