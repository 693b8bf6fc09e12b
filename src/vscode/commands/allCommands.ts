import type * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { Budgets } from '../../core/cost/budgets';
import type { Ledger } from '../../core/cost/ledger';
import type { Fleet } from '../../core/fleet';
import type { Logger } from '../../core/log';
import type { ChatPanels } from '../chat/chatPanels';
import type { BackendDetection } from '../detection';
import type { Secrets } from '../secrets';
import { AskAboutSelectionCommand, AskAutoCommand, AskInBackgroundCommand, BroadcastCommand, ShowBackgroundResultCommand } from './askCommands';
import { SetBudgetCommand } from './budgetCommands';
import { SetFallbackChainCommand } from './fallbackCommands';
import { CompressNowCommand, PinMessageCommand, ToggleCompressionCommand } from './compressNow';
import type { CompressionStage } from '../../core/context/window';
import type { Command } from './command';
import { ShowDashboardCommand } from './dashboardCommand';
import type { Dashboards } from '../dashboard/dashboardPanel';
import { ForkCommand, RelayCommand, RelayToCommand } from './contextCommands';
import { AskCommand, CancelCommand, KillAllCommand, KillCommand, OpenChatCommand, PickInstanceCommand, RenameCommand, SpawnCommand } from './fleetCommands';
import { SetApiKeyCommand } from './setApiKey';
import { ShowLogCommand } from './showLog';
import { ShowPricesCommand } from './showPricesCommand';
import { ShowHealthCommand } from './showHealthCommand';
import type { HealthRegistry } from '../../core/routing/health';
import { ShowUsageCommand } from './viewCommands';

export interface CommandDeps {
  readonly fleet: Fleet;
  readonly backends: readonly Backend[];
  readonly chats: ChatPanels;
  readonly detection: BackendDetection;
  readonly secrets: Secrets;
  readonly channel: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  /** Per-workspace memory, e.g. the instance last asked about a selection. */
  readonly memory: vscode.Memento;
  readonly budgets: Budgets;
  readonly dashboards: Dashboards;
  /** The usage ledger, for the usage report. */
  readonly ledger: Ledger;
  /** The compression stage, for Compress Now. */
  readonly compression: CompressionStage;
  /** Each backend's health, for Show Backend Health. */
  readonly health: HealthRegistry;
}

/** Every command of the extension, in one table (the manifest test checks it against package.json). */
export function createCommands(d: CommandDeps): Command[] {
  return [
    new SpawnCommand(d.fleet, d.backends, d.detection, d.chats),
    new AskCommand(d.fleet, d.chats),
    new AskAutoCommand(d.fleet, d.chats),
    new AskInBackgroundCommand(d.fleet),
    new ShowBackgroundResultCommand(d.fleet),
    new BroadcastCommand(d.fleet, d.extensionUri, d.log),
    new RelayCommand(d.fleet, d.chats),
    new RelayToCommand(d.fleet, d.chats),
    new ForkCommand(d.fleet, d.backends, d.chats),
    new KillCommand(d.fleet),
    new KillAllCommand(d.fleet),
    new OpenChatCommand(d.fleet, d.chats),
    new AskAboutSelectionCommand(d.fleet, d.chats, d.memory),
    new SetApiKeyCommand(d.secrets),
    new ShowLogCommand(d.channel),
    new RenameCommand(d.fleet),
    new CancelCommand(d.fleet),
    new ShowUsageCommand(d.fleet, d.ledger, d.budgets),
    new ShowPricesCommand(d.fleet),
    new PickInstanceCommand(d.fleet, d.chats),
    new SetBudgetCommand(d.fleet, d.budgets),
    new SetFallbackChainCommand(d.fleet, d.backends, d.detection),
    new ShowDashboardCommand(d.dashboards),
    new CompressNowCommand(d.fleet, d.compression),
    new ToggleCompressionCommand(d.fleet, d.compression),
    new PinMessageCommand(d.fleet),
    new ShowHealthCommand(d.health, d.backends),
  ];
}
