import type * as vscode from 'vscode';
import type { CompressionStage } from '../core/context/window';
import type { Budgets } from '../core/cost/budgets';
import type { Ledger } from '../core/cost/ledger';
import type { Fleet } from '../core/fleet';
import type { HealthRegistry } from '../core/routing/health';
import type { ChatPanels } from './chat/chatPanels';
import type { BackendDetection } from './detection';
import type { InputProbe } from './input/inputProbe';
import type { Secrets } from './secrets';
import type { InstanceNode, InstanceTreeProvider } from './tree/instanceTreeProvider';

/**
 * Internals the integration suite reads, attached to the API as `testing` only when the extension host runs tests
 * (`ExtensionMode.Test`). Users and other extensions never see it.
 */
export interface TestingHooks {
  readonly fleet: Fleet;
  readonly tree: InstanceTreeProvider;
  readonly treeView: vscode.TreeView<InstanceNode>;
  readonly chats: ChatPanels;
  readonly secrets: Secrets;
  /** Where the Fleet persists its state: globalStorage/workspaces/<workspace key> (see stateLocation.ts). */
  readonly storagePath: string;
  /** The extension's own storage URIs' paths, so tests can tell which one `storagePath` sits under. */
  readonly storageRoots: { readonly global: string; readonly workspace?: string };
  /** The usage ledger every turn writes to (in globalStorage/ledger). */
  readonly ledger: Ledger;
  /** The budget stage, to see which caps the settings gave it. */
  readonly budgets: Budgets;
  /** The compression stage, to see which settings it took. */
  readonly compression: CompressionStage;
  /** What is set up here; the router only chooses backends it found usable, so a test waits for a fresh probe. */
  readonly detection: BackendDetection;
  /** Each backend's health, as the fallback stage keeps it. */
  readonly health: HealthRegistry;
  /** The quick picks and input boxes the extension shows (through input/quickInput.ts), for a test to answer in order. */
  readonly inputs: InputProbe;
}
