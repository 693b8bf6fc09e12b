import * as vscode from 'vscode';
import type { AskHandle } from '../../core/askHandle';
import { errorMessage, FleetError } from '../../core/errors';
import type { AskOptions } from '../../core/fleetTypes';
import { AskFailedError } from '../../core/instance';
import type { AssistantMessage } from '../../core/transcript';
import type { Fleet } from '../../core/fleet';
import type { ChatPanels } from '../chat/chatPanels';
import { errorView } from '../chat/views';
import { instanceFor, promptFor } from '../input/pickers';

/** How Ask… or one of its variants asks for its input, and what it sends. */
export interface AskFlow {
  /** The instance picker's title, e.g. "LLM Fleet: Ask". */
  readonly title: string;
  /** The prompt box's title for the chosen instance. */
  promptTitle(name: string): string;
  readonly options?: AskOptions;
}

/**
 * Ask… and its variants: the instance (argument, tree node or picker), the prompt (argument or input box), then the
 * ask with progress, its answer streaming into the chat. Undefined when the user backed out or the ask failed.
 */
export async function askFromInput(fleet: Fleet, chats: ChatPanels, flow: AskFlow, arg?: unknown, promptArg?: unknown): Promise<AssistantMessage | undefined> {
  const name = await instanceFor(fleet, arg, { title: flow.title });
  if (!name) return undefined;
  const prompt = typeof promptArg === 'string' ? promptArg : await promptFor(flow.promptTitle(name));
  if (!prompt) return undefined;
  return reporting(() => askWithProgress(fleet, chats, name, () => fleet.ask(name, prompt, flow.options)));
}

/**
 * Runs an ask started from the palette or a menu: the answer streams into the instance's chat, and a notification
 * shows progress with a Cancel button that stops the answer (the partial text is kept).
 */
export async function askWithProgress(fleet: Fleet, chats: ChatPanels, name: string, start: () => AskHandle): Promise<AssistantMessage | undefined> {
  chats.open(name, { preserveFocus: true });
  const handle = start();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LLM Fleet: ${name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => fleet.has(name) && fleet.get(name).currentAsk === handle && fleet.cancel(name));
        progress.report({ message: fleet.status(name).status === 'busy' && fleet.get(name).currentAsk !== handle ? 'queued…' : 'answering…' });
        let last = 0;
        const tick = setInterval(() => {
          const n = handle.text.length;
          if (n !== last) progress.report({ message: `answering… ${n.toLocaleString()} characters` });
          last = n;
        }, 250);
        try {
          return await handle;
        } finally {
          clearInterval(tick);
        }
      },
    );
  } catch (e) {
    await showFailure(e);
    return undefined;
  }
}

/** Shows a failure with its next step; a step that is a command becomes a button. */
export async function showFailure(e: unknown): Promise<void> {
  // The user stopped or killed it themselves: the chat and the tree already show it, a toast would only echo them.
  if (e instanceof AskFailedError && (e.kind === 'cancelled' || e.kind === 'instance_killed')) return;
  if (e instanceof FleetError || !(e instanceof AskFailedError)) {
    void vscode.window.showErrorMessage(`LLM Fleet: ${errorMessage(e)}`);
    return;
  }
  const view = errorView({ kind: e.kind, message: e.message, hint: e.hint });
  const text = `LLM Fleet: ${e.message}${view.hint ? ` ${view.hint}` : ''}`;
  const choice = await vscode.window.showErrorMessage(text, ...(view.action ? [view.action.title] : []));
  if (choice && view.action) await vscode.commands.executeCommand(view.action.command);
}

/** Runs a command body and turns a thrown error into a message instead of a silent failure. */
export async function reporting<T>(body: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await body();
  } catch (e) {
    await showFailure(e);
    return undefined;
  }
}
