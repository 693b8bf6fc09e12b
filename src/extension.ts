import * as path from 'node:path';
import * as vscode from 'vscode';
import { createApi, type LlmFleetApi } from './api';
import { anthropicBudgetCounter } from './core/cost/budgetCount';
import { Budgets, parseBudgetSettings } from './core/cost/budgets';
import { Ledger, ledgerStage } from './core/cost/ledger';
import { parsePriceOverrides } from './core/cost/priceOverrides';
import { Fleet } from './core/fleet';
import { type Logger } from './core/log';
import { FileStore } from './core/store';
import { createBackends } from './vscode/backends';
import { ChatPanels } from './vscode/chat/chatPanels';
import { Dashboards } from './vscode/dashboard/dashboardPanel';
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
import { createCompression, watchCompressionSettings } from './vscode/compression';
import { Resilience } from './vscode/health/resilience';
import { registerHealthStatusBar } from './vscode/health/healthStatusBar';
import { createRouter } from './vscode/routerSettings';
import { attachInputProbe, InputProbe } from './vscode/input/inputProbe';

let fleet: Fleet | undefined;
let ledger: Ledger | undefined;

/** The composition root: builds the services, wires them, and returns the public API. */
export async function activate(context: vscode.ExtensionContext): Promise<LlmFleetApi & { testing?: TestingHooks }> {
  const channel = vscode.window.createOutputChannel('LLM Fleet', { log: true });
  const secrets = new Secrets(context.secrets);
  const log = channelLogger(channel, () => secrets.knownValues());
  // Fallback chains and backend health; built before the backends, whose SDK retries stand down while a chain is set.
  const resilience = new Resilience(log);
  const backends = createBackends(secrets, log, (name) => resilience.chainApplies(name));
  // Instances belong to the workspace they were spawned in (Claude Code sessions are per folder), keyed by its path
  // under globalStorage: code-server's storageUri changes with its port (see stateLocation.ts).
  const location = await prepareStateLocation(context, log, () => channel.show());
  const storagePath = location.root;
  // One ledger for every workspace: spend is the user's, wherever it happened.
  const theLedger = (ledger = new Ledger({ dir: path.join(context.globalStorageUri.fsPath, 'ledger'), onProblem: (p) => log.warn(p.message) }));
  const treeRootOf = (name: string) => theFleet.treeRoot(name);
  const price: ConstructorParameters<typeof Budgets>[0]['price'] = (b, u, m) => theFleet.price(b, u, m);
  // The budget stage comes after the ledger's, so the ledger records its refusals ('blocked') and its stops.
  // count_tokens settles a close call at a cap, through the Anthropic backend's own client (its key and base URL).
  const countTokens = anthropicBudgetCounter(backends);
  const budgets = new Budgets({ ledger: theLedger, treeRootOf, price, countTokens });
  // Compression before fallback and the ledger: each attempt is sent (and recorded) with the compressed history.
  const compression = createCompression(() => theFleet, backends, theLedger, budgets);
  // The router first: every later stage (compression's window, fallback, ledger, budget) sees the target it chose.
  const routing = createRouter({ log, findings: () => detection.findings, isAvailable: (b) => resilience.health.isAvailable(b), budgets, price });
  const stages = [routing.router.stage, compression.stage, resilience.stage, ledgerStage(theLedger, { treeRootOf, price }), budgets.stage];
  const theFleet: Fleet = (fleet = new Fleet({ backends, store: new FileStore(storagePath), log, stages }));
  resilience.attach(theFleet);
  applySettings(theFleet, log);
  applyBudgets(budgets, log);
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
  const tree = registerInstanceTree(theFleet, () => budgets.current);
  const dashboards = new Dashboards({ ledger: theLedger, fleet: theFleet, extensionUri: context.extensionUri, log, caps: () => budgets.current, chats });
  context.subscriptions.push(
    channel,
    detection,
    chats,
    tree.disposable,
    dashboards,
    registerStatusBar(theFleet, theLedger, () => budgets.current),
    resilience,
    registerHealthStatusBar(resilience.health),
    routing.disposable,
    // A key set or changed: a backend kept out for a refused key gets its chance again at once.
    secrets.onDidChange(() => resilience.health.reset()),
    vscode.window.onDidChangeActiveTextEditor((e) => (lastEditor = e ?? lastEditor)),
    vscode.workspace.onDidChangeConfiguration((e) => changed(e, 'openai.prices', 'broadcast.concurrency') && applySettings(theFleet, log)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('llmFleet.budget')) return;
      applyBudgets(budgets, log);
      tree.refreshMoney();
    }),
    registerCommands(createCommands({ fleet: theFleet, backends, chats, detection, secrets, channel, extensionUri: context.extensionUri, log, memory: context.workspaceState, budgets, dashboards, ledger: theLedger, compression, health: resilience.health })),
    watchCompressionSettings(compression),
    theFleet.onDidCompleteTurn((e) => {
      const m = e.message;
      if (m.status === 'error') log.warn(`${e.name}: ${m.error?.kind}: ${m.error?.message}`);
      else log.info(`${e.name}: ${m.status} answer from ${m.model}, ${m.usage?.input ?? 0} in / ${m.usage?.output ?? 0} out, ${m.latencyMs} ms`);
    }),
  );
  const api = createApi(theFleet);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return api;
  const storageRoots = { global: context.globalStorageUri.fsPath, workspace: context.storageUri?.fsPath };
  // Tests answer the extension's quick inputs through this (see inputProbe.ts); outside tests none is attached.
  const inputs = new InputProbe();
  context.subscriptions.push(attachInputProbe(inputs));
  return { ...api, testing: { fleet: theFleet, tree: tree.provider, treeView: tree.view, chats, secrets, storagePath, storageRoots, ledger: theLedger, budgets, detection, compression, health: resilience.health, inputs } };
}

/** Settings the Fleet reads while it runs: model prices and broadcast width. */
function applySettings(target: Fleet, log: Logger): void {
  const settings = readSettings();
  const prices = parsePriceOverrides(settings['openai.prices']);
  for (const problem of prices.problems) log.warn(`Settings: ${problem}`);
  target.configure({ priceOverrides: prices.overrides, broadcastConcurrency: settings['broadcast.concurrency'] });
}

/**
 * The spending caps. Read raw rather than through readSettings, which would quietly turn a typo ("1,50") into the
 * default: a bad cap must be said (log and a warning) and then ignored, never taken for "no problem".
 */
function applyBudgets(target: Budgets, log: Logger): void {
  const c = vscode.workspace.getConfiguration('llmFleet.budget');
  const { caps, problems } = parseBudgetSettings({ dailyUsd: c.get('dailyUsd'), treeUsd: c.get('treeUsd'), instanceUsd: c.get('instanceUsd'), warnAt: c.get('warnAt') });
  for (const problem of problems) log.warn(`Settings: ${problem}`);
  if (problems.length > 0) void vscode.window.showWarningMessage(`LLM Fleet: ${problems[0]}`);
  target.configure(caps);
}

/** Lets every backend session go (Claude Code processes exit) and flushes state; instances come back next time. */
export async function deactivate(): Promise<void> {
  await fleet?.shutdown();
  await ledger?.flush();
  fleet = undefined;
  ledger = undefined;
}
