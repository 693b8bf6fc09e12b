import * as vscode from 'vscode';
import { createApi, type LlmFleetApi } from './api';
import { Fleet } from './core/fleet';
import { FileStore } from './core/store';
import { createBackends } from './vscode/backends';
import { ChatPanels } from './vscode/chat/chatPanels';
import { AskAboutSelectionCommand, AskInBackgroundCommand, BroadcastCommand, ShowBackgroundResultCommand } from './vscode/commands/askCommands';
import { registerCommands } from './vscode/commands/command';
import { ForkCommand, RelayCommand, RelayToCommand } from './vscode/commands/contextCommands';
import { AskCommand, CancelCommand, KillAllCommand, KillCommand, OpenChatCommand, PickInstanceCommand, RenameCommand, SpawnCommand } from './vscode/commands/fleetCommands';
import { SetApiKeyCommand } from './vscode/commands/setApiKey';
import { ShowLogCommand } from './vscode/commands/showLog';
import { ShowUsageCommand } from './vscode/commands/viewCommands';
import { readSettings } from './vscode/config';
import { channelLogger } from './vscode/log';
import { Secrets } from './vscode/secrets';
import { registerStatusBar } from './vscode/statusBar';
import { registerInstanceTree } from './vscode/tree/registerInstanceTree';

let fleet: Fleet | undefined;

/** The composition root: builds the services, wires them, and returns the public API. */
export async function activate(context: vscode.ExtensionContext): Promise<LlmFleetApi> {
  const channel = vscode.window.createOutputChannel('LLM Fleet', { log: true });
  const secrets = new Secrets(context.secrets);
  const log = channelLogger(channel, () => secrets.knownValues());
  const settings = readSettings();
  const backends = createBackends(settings, secrets);
  // Instances belong to the workspace they were spawned in (Claude Code sessions are per folder).
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const theFleet = (fleet = new Fleet({ backends, store: new FileStore(storage), log, broadcastConcurrency: settings['broadcast.concurrency'] }));
  const { restored, problems } = await theFleet.restore();
  log.info(`Restored ${restored.length} instance(s) from ${storage}.`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`LLM Fleet: ${problems.length} saved instance(s) could not be restored. The files were set aside; see the log.`, 'Show Log').then((c) => c && channel.show());
  }

  let lastEditor = vscode.window.activeTextEditor;
  const chats = new ChatPanels({ fleet: theFleet, extensionUri: context.extensionUri, log, lastEditor: () => lastEditor });
  const tree = registerInstanceTree(theFleet);
  context.subscriptions.push(
    channel,
    chats,
    tree.disposable,
    registerStatusBar(theFleet),
    vscode.window.onDidChangeActiveTextEditor((e) => (lastEditor = e ?? lastEditor)),
    registerCommands([
      new SpawnCommand(theFleet, () => backends, chats),
      new AskCommand(theFleet, chats),
      new AskInBackgroundCommand(theFleet),
      new ShowBackgroundResultCommand(theFleet),
      new BroadcastCommand(theFleet, context.extensionUri, log),
      new RelayCommand(theFleet, chats),
      new RelayToCommand(theFleet, chats),
      new ForkCommand(theFleet, () => backends, chats),
      new KillCommand(theFleet),
      new KillAllCommand(theFleet),
      new OpenChatCommand(theFleet, chats),
      new AskAboutSelectionCommand(theFleet, chats, context.workspaceState),
      new SetApiKeyCommand(secrets),
      new ShowLogCommand(channel),
      new RenameCommand(theFleet),
      new CancelCommand(theFleet),
      new ShowUsageCommand(theFleet),
      new PickInstanceCommand(theFleet, chats),
    ]),
    theFleet.onDidCompleteTurn((e) => {
      const m = e.message;
      if (m.status === 'error') log.warn(`${e.name}: ${m.error?.kind}: ${m.error?.message}`);
      else log.info(`${e.name}: ${m.status} answer from ${m.model}, ${m.usage?.input ?? 0} in / ${m.usage?.output ?? 0} out, ${m.latencyMs} ms`);
    }),
  );
  return createApi(theFleet);
}

/** Lets every backend session go (Claude Code processes exit) and flushes state; instances come back next time. */
export async function deactivate(): Promise<void> {
  await fleet?.shutdown();
  fleet = undefined;
}
