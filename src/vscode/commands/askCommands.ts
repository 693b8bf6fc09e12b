import * as vscode from 'vscode';
import type { BroadcastResult } from '../../core/broadcast';
import type { AssistantMessage } from '../../core/transcript';
import type { Fleet } from '../../core/fleet';
import type { Logger } from '../../core/log';
import { AUTO_MODEL } from '../../core/routing/router';
import type { ChatPanels } from '../chat/chatPanels';
import { ComparePanel } from '../compare/comparePanel';
import { instanceFor, instancesFor, promptFor } from '../input/pickers';
import { askText, pickOne } from '../input/quickInput';
import { DEFAULT_SELECTION_QUESTION, selectionPrompt } from '../selectionPrompt';
import { askFromInput, reporting, showFailure } from './asking';
import type { Command } from './command';

/**
 * Ask with Auto Model…: Ask…'s input, but the router picks this one ask's backend and model (the instance's own
 * backend is its home) and says why in the chat; the next ask goes to the instance's own model again. Arguments as
 * Ask…: an instance name (or tree node) and a prompt.
 */
export class AskAutoCommand implements Command {
  readonly id = 'llmFleet.askAuto';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  execute(arg?: unknown, promptArg?: unknown): Promise<AssistantMessage | undefined> {
    return askFromInput(this.fleet, this.chats, {
      title: 'LLM Fleet: Ask with Auto Model',
      promptTitle: (name) => `LLM Fleet: Ask ${name} with Auto Model (the router picks this ask's backend and model)`,
      options: { model: AUTO_MODEL },
    }, arg, promptArg);
  }
}

/** Ask in Background…: returns at once; the answer is collected with Show Background Result…. */
export class AskInBackgroundCommand implements Command {
  readonly id = 'llmFleet.askInBackground';
  constructor(private readonly fleet: Fleet) {}
  async execute(arg?: unknown): Promise<string | undefined> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Ask in Background' });
    if (!name) return undefined;
    const prompt = await promptFor(`LLM Fleet: Ask ${name} in the background`);
    if (!prompt) return undefined;
    const ticket = await reporting(() => this.fleet.askAsync(name, prompt));
    if (ticket) {
      void vscode.window.showInformationMessage(`LLM Fleet: asked ${name} in the background.`, 'Show Result').then((c) => c && vscode.commands.executeCommand('llmFleet.showBackgroundResult', ticket));
    }
    return ticket;
  }
}

/** Show Background Result…: the answer (or the text so far) as a Markdown document. */
export class ShowBackgroundResultCommand implements Command {
  readonly id = 'llmFleet.showBackgroundResult';
  constructor(private readonly fleet: Fleet) {}
  async execute(ticketArg?: unknown): Promise<void> {
    let ticket = typeof ticketArg === 'string' ? ticketArg : undefined;
    if (!ticket) {
      const asks = this.fleet.backgroundAsks().reverse();
      if (asks.length === 0) return void vscode.window.showInformationMessage('LLM Fleet: no background asks yet. Use "Ask in Background…".');
      const pick = await pickOne(
        asks.map((a) => ({ label: `${a.settled ? '$(check)' : '$(loading~spin)'} ${a.name}`, description: a.prompt.slice(0, 80), ticket: a.ticket })),
        { title: 'LLM Fleet: Background Results' },
      );
      ticket = pick?.ticket;
    }
    if (!ticket) return;
    const result = await reporting(() => this.fleet.poll(ticket!));
    if (!result) return;
    const heading = result.status === 'pending' ? `${result.name} is still answering (text so far)` : result.status === 'error' ? `${result.name} failed: ${result.error}` : `${result.name} answered`;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `<!-- ${heading} -->\n\n${result.text}` });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}

/** Broadcast…: one prompt to several instances, compared side by side as the answers stream in. */
export class BroadcastCommand implements Command {
  readonly id = 'llmFleet.broadcast';
  constructor(private readonly fleet: Fleet, private readonly extensionUri: vscode.Uri, private readonly log: Logger) {}
  async execute(namesArg?: unknown, promptArg?: unknown): Promise<BroadcastResult[] | undefined> {
    const names = await instancesFor(this.fleet, namesArg, 'LLM Fleet: Broadcast to');
    if (!names) return undefined;
    const prompt = typeof promptArg === 'string' ? promptArg : await promptFor(`LLM Fleet: Broadcast to ${names.length} instance(s)`);
    if (!prompt) return undefined;
    const view = ComparePanel.open(this.fleet, this.extensionUri, this.log, prompt, names);
    return reporting(async () => {
      const results = await this.fleet.broadcast(names, prompt, {
        onAsk: (name, handle) => {
          void (async () => {
            for await (const delta of handle) view.stream(name, delta);
          })().catch(() => undefined);
        },
      });
      for (const r of results) view.finish(r);
      return results;
    });
  }
}

/** Ask About Selection…: the selection with its file, language and line range, to an instance (the last one used first). */
export class AskAboutSelectionCommand implements Command {
  readonly id = 'llmFleet.askAboutSelection';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels, private readonly memory: vscode.Memento) {}
  async execute(nameArg?: unknown, questionArg?: unknown): Promise<AssistantMessage | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) return void vscode.window.showInformationMessage('LLM Fleet: select some text in an editor first.');
    const last = this.memory.get<string>('lastSelectionInstance');
    const name = await instanceFor(this.fleet, nameArg, { title: 'LLM Fleet: Ask About Selection', preselect: last && this.fleet.has(last) ? last : undefined });
    if (!name) return undefined;
    const question = typeof questionArg === 'string' ? questionArg : await askText({ title: `LLM Fleet: Ask ${name} about the selection`, value: DEFAULT_SELECTION_QUESTION, ignoreFocusOut: true });
    if (question === undefined) return undefined;
    const { document, selection } = editor;
    const prompt = selectionPrompt(question, {
      path: vscode.workspace.asRelativePath(document.uri),
      languageId: document.languageId,
      startLine: selection.start.line + 1,
      endLine: selection.end.line + (selection.end.character === 0 && selection.end.line > selection.start.line ? 0 : 1),
      text: document.getText(selection),
    });
    await this.memory.update('lastSelectionInstance', name);
    this.chats.open(name, { preserveFocus: true });
    try {
      return await this.fleet.ask(name, prompt);
    } catch (e) {
      await showFailure(e);
      return undefined;
    }
  }
}
