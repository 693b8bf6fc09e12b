import * as vscode from 'vscode';
import { createApi, type LlmFleetApi } from './api';
import { Fleet } from './core/fleet';
import { FileStore } from './core/store';
import { createBackends } from './vscode/backends';
import { registerCommands } from './vscode/commands/command';
import { SetApiKeyCommand } from './vscode/commands/setApiKey';
import { ShowLogCommand } from './vscode/commands/showLog';
import { readSettings } from './vscode/config';
import { channelLogger } from './vscode/log';
import { Secrets } from './vscode/secrets';

let fleet: Fleet | undefined;

/** The composition root: builds the services, wires them, and returns the public API. */
export async function activate(context: vscode.ExtensionContext): Promise<LlmFleetApi> {
  const channel = vscode.window.createOutputChannel('LLM Fleet', { log: true });
  const secrets = new Secrets(context.secrets);
  const log = channelLogger(channel, () => secrets.knownValues());
  const settings = readSettings();
  // Instances belong to the workspace they were spawned in (Claude Code sessions are per folder).
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  fleet = new Fleet({
    backends: createBackends(settings, secrets),
    store: new FileStore(storage),
    log,
    broadcastConcurrency: settings['broadcast.concurrency'],
  });
  const { restored, problems } = await fleet.restore();
  log.info(`Restored ${restored.length} instance(s) from ${storage}.`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`LLM Fleet: ${problems.length} saved instance(s) could not be restored. The files were set aside; see the log.`, 'Show Log').then((choice) => {
      if (choice) channel.show();
    });
  }
  context.subscriptions.push(channel, registerCommands([new ShowLogCommand(channel), new SetApiKeyCommand(secrets)]));
  return createApi(fleet);
}

/** Lets every backend session go (Claude Code processes exit) and flushes state; instances come back next time. */
export async function deactivate(): Promise<void> {
  await fleet?.shutdown();
  fleet = undefined;
}
