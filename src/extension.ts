import * as path from 'node:path';
import * as vscode from 'vscode';
import { createApi, type LlmFleetApi } from './api';
import { Ledger, ledgerStage } from './core/cost/ledger';
import { parsePriceOverrides } from './core/cost/priceOverrides';
import { Fleet } from './core/fleet';
import { type Logger } from './core/log';
import { FileStore } from './core/store';
import { createBackends } from './vscode/backends';
import { ChatPanels } from './vscode/chat/chatPanels';
import { createCommands } from './vscode/commands/allCommands';
import { registerCommands } from './vscode/commands/command';
import { changed, readSettings } from './vscode/config';
import { BackendDetection } from './vscode/detection';
import { channelLogger } from './vscode/log';
import { Secrets } from './vscode/secrets';
import { prepareStateLocation } from './vscode/stateLocation';
import { registerStatusBar } from './vscode/statusBar';
import type { TestingHooks } from './vscode/testing';
import { registerInstanceTree } from './vscode/tree/registerInstanceTree';

let fleet: Fleet | undefined;
let ledger: Ledger | undefined;

/** The composition root: builds the services, wires them, and returns the public API. */
export async function activate(context: vscode.ExtensionContext): Promise<LlmFleetApi & { testing?: TestingHooks }> {
  const channel = vscode.window.createOutputChannel('LLM Fleet', { log: true });
  const secrets = new Secrets(context.secrets);
  const log = channelLogger(channel, () => secrets.knownValues());
  const backends = createBackends(secrets, log);
  // Instances belong to the workspace they were spawned in (Claude Code sessions are per folder), keyed by its path
  // under globalStorage: code-server's storageUri changes with its port (see stateLocation.ts).
  const location = await prepareStateLocation(context, log, () => channel.show());
  const storagePath = location.root;
  // One ledger for every workspace: spend is the user's, wherever it happened.
  const theLedger = (ledger = new Ledger({ dir: path.join(context.globalStorageUri.fsPath, 'ledger'), onProblem: (p) => log.warn(p.message) }));
  const stages = [ledgerStage(theLedger, { treeRootOf: (name) => theFleet.treeRoot(name), price: (b, u, m) => theFleet.price(b, u, m) })];
  const theFleet: Fleet = (fleet = new Fleet({ backends, store: new FileStore(storagePath), log, stages }));
  applySettings(theFleet, log);
  const { restored, problems } = await theFleet.restore();
  const moved = location.migration.kind === 'migrated' ? ` (moved there from ${context.storageUri?.fsPath} this start)` : '';
  log.info(`Restored ${restored.length} instance(s) from ${storagePath}${moved}.`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`LLM Fleet: ${problems.length} saved instance(s) could not be restored. The files were set aside; see the log.`, 'Show Log').then((c) => c && channel.show());
  }

  const detection = new BackendDetection(secrets, log);
  void detection.refresh();
  let lastEditor = vscode.window.activeTextEditor;
  const chats = new ChatPanels({ fleet: theFleet, extensionUri: context.extensionUri, log, lastEditor: () => lastEditor });
  const tree = registerInstanceTree(theFleet);
  context.subscriptions.push(
    channel,
    detection,
    chats,
    tree.disposable,
    registerStatusBar(theFleet),
    vscode.window.onDidChangeActiveTextEditor((e) => (lastEditor = e ?? lastEditor)),
    vscode.workspace.onDidChangeConfiguration((e) => changed(e, 'openai.prices', 'broadcast.concurrency') && applySettings(theFleet, log)),
    registerCommands(createCommands({ fleet: theFleet, backends, chats, detection, secrets, channel, extensionUri: context.extensionUri, log, memory: context.workspaceState })),
    theFleet.onDidCompleteTurn((e) => {
      const m = e.message;
      if (m.status === 'error') log.warn(`${e.name}: ${m.error?.kind}: ${m.error?.message}`);
      else log.info(`${e.name}: ${m.status} answer from ${m.model}, ${m.usage?.input ?? 0} in / ${m.usage?.output ?? 0} out, ${m.latencyMs} ms`);
    }),
  );
  const api = createApi(theFleet);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return api;
  const storageRoots = { global: context.globalStorageUri.fsPath, workspace: context.storageUri?.fsPath };
  return { ...api, testing: { fleet: theFleet, tree: tree.provider, treeView: tree.view, chats, secrets, storagePath, storageRoots, ledger: theLedger } };
}

/** Settings the Fleet reads while it runs: model prices and broadcast width. */
function applySettings(target: Fleet, log: Logger): void {
  const settings = readSettings();
  const prices = parsePriceOverrides(settings['openai.prices']);
  for (const problem of prices.problems) log.warn(`Settings: ${problem}`);
  target.configure({ priceOverrides: prices.overrides, broadcastConcurrency: settings['broadcast.concurrency'] });
}

/** Lets every backend session go (Claude Code processes exit) and flushes state; instances come back next time. */
export async function deactivate(): Promise<void> {
  await fleet?.shutdown();
  await ledger?.flush();
  fleet = undefined;
  ledger = undefined;
}
