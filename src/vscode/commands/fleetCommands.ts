import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { BackendKind } from '../../core/kinds';
import type { Fleet } from '../../core/fleet';
import type { SpawnOptions } from '../../core/fleetTypes';
import type { AssistantMessage } from '../../core/transcript';
import type { BackendDetection } from '../detection';
import type { ChatPanels } from '../chat/chatPanels';
import { instanceFor, newNameProblem } from '../input/pickers';
import { askText } from '../input/quickInput';
import { spawnWizard } from '../input/spawnWizard';
import { askFromInput, reporting } from './asking';
import type { Command } from './command';

/**
 * Spawn Instance…: the multi-step input, then the new instance's chat. A backend kind as the argument (the welcome
 * view's buttons) starts the input at the model step; a whole spec (`{ name, backend, model, … }`, from a keybinding
 * or another extension) spawns without asking.
 */
export class SpawnCommand implements Command {
  readonly id = 'llmFleet.spawn';
  constructor(private readonly fleet: Fleet, private readonly backends: readonly Backend[], private readonly detection: BackendDetection, private readonly chats: ChatPanels) {}
  async execute(arg?: unknown): Promise<string | undefined> {
    const spec = specFromArg(arg);
    const chosen = spec ?? (await spawnWizard(this.fleet, this.backends, this.detection.findings, typeof arg === 'string' ? { backend: arg as BackendKind } : {}));
    if (!chosen) return undefined;
    return reporting(() => {
      const info = this.fleet.spawn(chosen.name, chosen.options);
      this.chats.open(info.name);
      return info.name;
    });
  }
}

/** `{ name, backend, model, role?, systemPrompt?, options? }`; the Fleet validates each field. */
function specFromArg(arg: unknown): { name: string; options: SpawnOptions } | undefined {
  if (!arg || typeof arg !== 'object' || typeof (arg as { name?: unknown }).name !== 'string') return undefined;
  const { name, ...options } = arg as { name: string } & SpawnOptions;
  return { name, options };
}

export class AskCommand implements Command {
  readonly id = 'llmFleet.ask';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  execute(arg?: unknown, promptArg?: unknown): Promise<AssistantMessage | undefined> {
    return askFromInput(this.fleet, this.chats, { title: 'LLM Fleet: Ask', promptTitle: (name) => `LLM Fleet: Ask ${name}` }, arg, promptArg);
  }
}

export class OpenChatCommand implements Command {
  readonly id = 'llmFleet.openChat';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Open Chat' });
    if (name) await reporting(() => this.chats.open(this.fleet.status(name).name));
  }
}

export class CancelCommand implements Command {
  readonly id = 'llmFleet.cancel';
  constructor(private readonly fleet: Fleet) {}
  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Stop', filter: (i) => i.status === 'busy', emptyMessage: 'LLM Fleet: no instance is answering.' });
    if (name) await reporting(() => this.fleet.cancel(name));
  }
}

export class RenameCommand implements Command {
  readonly id = 'llmFleet.rename';
  constructor(private readonly fleet: Fleet) {}
  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Rename' });
    if (!name) return;
    const next = await askText({
      title: `LLM Fleet: Rename ${name}`,
      value: name,
      prompt: 'A new name (letters, digits, . _ -)',
      validate: (v) => (v === name ? undefined : newNameProblem(this.fleet, v)),
    });
    if (next && next !== name) await reporting(() => this.fleet.rename(name, next));
  }
}

export class KillCommand implements Command {
  readonly id = 'llmFleet.kill';
  constructor(private readonly fleet: Fleet) {}
  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Kill' });
    if (name) await reporting(() => this.fleet.kill(name));
  }
}

export class KillAllCommand implements Command {
  readonly id = 'llmFleet.killAll';
  constructor(private readonly fleet: Fleet) {}
  async execute(confirmed?: unknown): Promise<void> {
    const count = this.fleet.list().length;
    if (count === 0) return void vscode.window.showInformationMessage('LLM Fleet: there are no instances.');
    if (confirmed !== true) {
      const choice = await vscode.window.showWarningMessage(`Kill all ${count} instance(s)? Their conversations are forgotten.`, { modal: true }, 'Kill All');
      if (choice !== 'Kill All') return;
    }
    await reporting(() => this.fleet.killAll());
  }
}

/** Lists instances from the status bar; choosing one opens its chat. */
export class PickInstanceCommand implements Command {
  readonly id = 'llmFleet.pickInstance';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  async execute(): Promise<void> {
    const name = await instanceFor(this.fleet, undefined, { title: 'LLM Fleet: Instances' });
    if (name) this.chats.open(name);
  }
}

