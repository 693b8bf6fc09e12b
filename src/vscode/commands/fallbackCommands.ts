import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { Fleet } from '../../core/fleet';
import type { FallbackLink } from '../../core/turn/types';
import { ChainDraft, currentChain, describeCurrent } from '../chainEditing';
import type { BackendDetection } from '../detection';
import { editChain, globalChain } from '../input/chainDialog';
import { instanceFor } from '../input/pickers';
import { BACK } from '../input/quickInput';
import { reporting } from './asking';
import type { Command } from './command';

/**
 * "Set Fallback Chain…" on an instance: shows the chain it follows now (its own, the global one, or none) and edits
 * an ordered chain from the backends set up and their models, then sets it on the running instance (the next ask
 * follows it; it is saved with the instance). Scripts and tests may pass `{ name, chain }`, where chain is a list of
 * links (or "backend:model" strings), [] for no fallback at all, or "global" to follow the global chain.
 */
export class SetFallbackChainCommand implements Command {
  readonly id = 'llmFleet.setFallbackChain';
  constructor(
    private readonly fleet: Fleet,
    private readonly backends: readonly Backend[],
    private readonly detection: BackendDetection,
  ) {}

  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Set Fallback Chain' });
    if (!name) return;
    const given = (typeof arg === 'object' && arg !== null ? arg : {}) as { chain?: unknown };
    if (given.chain !== undefined) {
      await reporting(async () => this.fleet.setFallback(name, given.chain));
      return;
    }
    const chain = await this.edit(name);
    if (chain === undefined) return;
    await reporting(async () => {
      this.fleet.setFallback(name, chain);
      const now = currentChain(this.fleet.get(name).spec.fallback, globalChain());
      void vscode.window.setStatusBarMessage(`LLM Fleet: ${name} fallback chain: ${describeCurrent(now)}`, 5000);
    });
  }

  /** The dialog (../input/chainDialog.ts), started from the chain the instance follows: what to save, or undefined on Escape. */
  private async edit(name: string): Promise<FallbackLink[] | 'global' | undefined> {
    const spec = this.fleet.get(name).spec;
    const start = currentChain(spec.fallback, globalChain());
    const draft = await editChain(
      { backends: this.backends, findings: () => this.detection.findings, info: { title: `LLM Fleet: Fallback Chain of ${name} (now ${describeCurrent(start)})` }, target: { backend: spec.backend, model: spec.model } },
      ChainDraft.from(start),
    );
    return draft && draft !== BACK ? draft.toSave() : undefined;
  }
}
