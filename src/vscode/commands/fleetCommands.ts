import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { Fleet } from '../../core/fleet';
import type { ChatPanels } from '../chat/chatPanels';
import { instanceFor, newNameProblem, promptFor } from '../input/pickers';
import { spawnWizard } from '../input/spawnWizard';
import { askWithProgress, reporting } from './asking';
import type { Command } from './command';

/** Spawn Instance…: the multi-step input, then the new instance's chat. */
export class SpawnCommand implements Command {
  readonly id = 'llmFleet.spawn';
  constructor(private readonly fleet: Fleet, private readonly backends: () => readonly Backend[], private readonly chats: ChatPanels) {}
  async execute(preset?: unknown): Promise<void> {
    const backend = typeof preset === 'string' ? preset : undefined;
    const chosen = await spawnWizard(this.fleet, this.backends(), backend ? { backend: backend as never } : {});
    if (!chosen) return;
    await reporting(() => {
      this.fleet.spawn(chosen.name, chosen.options);
      this.chats.open(chosen.name);
    });
  }
}

export class AskCommand implements Command {
  readonly id = 'llmFleet.ask';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  async execute(arg?: unknown, promptArg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Ask' });
    if (!name) return;
    const prompt = typeof promptArg === 'string' ? promptArg : await promptFor(`LLM Fleet: Ask ${name}`);
    if (!prompt) return;
    await reporting(() => askWithProgress(this.fleet, this.chats, name, () => this.fleet.ask(name, prompt)));
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
    const next = await vscode.window.showInputBox({
      title: `LLM Fleet: Rename ${name}`,
      value: name,
      prompt: 'A new name (letters, digits, . _ -)',
      validateInput: (v) => (v === name ? undefined : newNameProblem(this.fleet, v)),
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

