import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import { BACKEND_LABELS, type BackendKind } from '../../core/kinds';
import type { HealthRegistry } from '../../core/routing/health';
import { healthRow } from '../health/healthItems';
import { pickOne } from '../input/quickInput';
import type { Command } from './command';

interface BackendPick extends vscode.QuickPickItem {
  readonly backend: BackendKind;
}
interface ActionPick extends vscode.QuickPickItem {
  readonly run: () => unknown;
}

/**
 * Each backend's health in a quick pick: its state (healthy, cooling down with the time left, out of the chains,
 * half-open), its recent errors and the next step. Picking one offers what can be done about it.
 */
export class ShowHealthCommand implements Command {
  readonly id = 'llmFleet.showHealth';
  constructor(
    private readonly health: HealthRegistry,
    private readonly backends: readonly Backend[],
  ) {}

  async execute(): Promise<void> {
    const now = Date.now();
    const items: BackendPick[] = this.health.all(this.backends.map((b) => b.kind)).map((h) => {
      const row = healthRow(h, now);
      return { backend: h.backend, label: row.label, ...(row.description ? { description: row.description } : {}), ...(row.detail ? { detail: row.detail } : {}) };
    });
    const picked = await pickOne(items, { title: 'LLM Fleet: Backend Health', placeholder: 'Pick a backend for what to do next', matchOnDetail: true });
    if (!picked) return;
    const h = this.health.state(picked.backend);
    const actions: ActionPick[] = [];
    if (h.recent.at(-1)?.kind === 'auth' && (picked.backend === 'anthropic' || picked.backend === 'openai')) {
      actions.push({ label: '$(key) Set API Key…', run: () => vscode.commands.executeCommand('llmFleet.setApiKey', picked.backend) });
    }
    if (h.state !== 'healthy' || h.recent.length > 0) {
      actions.push({ label: '$(debug-restart) Try it again now', description: 'forget its failures and cooldown', run: () => this.health.reset(picked.backend) });
    }
    actions.push({ label: '$(settings-gear) Edit the fallback chain', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'llmFleet.fallback') });
    actions.push({ label: '$(output) Show Log', run: () => vscode.commands.executeCommand('llmFleet.showLog') });
    const action = await pickOne(actions, { title: `LLM Fleet: ${BACKEND_LABELS[picked.backend]}`, placeholder: h.nextStep ?? 'What to do' });
    await action?.run();
  }
}
