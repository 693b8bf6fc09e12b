import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Fleet } from '../../core/fleet';
import { toDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/log';
import { openLink } from '../openLink';
import { parseWebviewMessage, type ChatWebviewState, type HostMessage, type WebviewMessage } from '../../webview/chat/protocol';
import { WebviewBase } from '../webviewBase';
import { webviewHtml } from '../webviewHtml';
import { instanceView, messageView } from './views';

/** Answers whose question was sent anyway: "once" holds across panels and reloads of this window. */
const resent = new Set<string>();

/** How often streamed text is posted to the webview: often enough to look live, rarely enough to stay cheap. */
const STREAM_FLUSH_MS = 33;

export interface ChatPanelDeps {
  readonly fleet: Fleet;
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  /** Where "Insert at Cursor" goes: the text editor the user last worked in (the webview has focus when clicked). */
  readonly lastEditor: () => vscode.TextEditor | undefined;
}

/**
 * The host side of one instance's chat. Each page load gets the transcript (`didLoad`); after that it follows the
 * Fleet's events for this instance as updates (a later load includes them), with stream deltas batched per flush
 * interval. The handshake, queueing and replies are the base's (../webviewBase.ts).
 */
export class ChatPanel extends WebviewBase<WebviewMessage, HostMessage> {
  private pending = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private name: string,
    private readonly deps: ChatPanelDeps,
  ) {
    super(panel, parseWebviewMessage, deps.log);
    const { fleet } = deps;
    this.setTitle();
    const state: ChatWebviewState = { name };
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, { bundle: 'chat', css: 'chat.css', title: `Chat: ${name}`, state });
    const mine = (e: { name: string }) => e.name === this.name;
    this._register(toDisposable(() => clearTimeout(this.flushTimer)));
    this._register(fleet.onDidStartTurn((e) => mine(e) && this.postUpdate({ type: 'didStartTurn', askId: e.askId, message: messageView(e.message) })));
    this._register(fleet.onDidStream((e) => mine(e) && this.buffer(e.askId, e.delta)));
    this._register(fleet.onDidTurnEvent((e) => mine(e) && e.event.type === 'note' && this.postUpdate({ type: 'didNote', askId: e.askId, text: e.event.text })));
    this._register(
      fleet.onDidCompleteTurn((e) => {
        if (!mine(e)) return;
        this.flush();
        this.postUpdate({ type: 'didCompleteTurn', askId: e.askId, message: messageView(e.message) });
        this.postInstance();
      }),
    );
    this._register(fleet.onDidChangeStatus((e) => mine(e) && this.postInstance()));
    // A compression or a pin changed the transcript's marks: the page loads it again (a turn in flight included).
    this._register(fleet.onDidChangeInstance((e) => mine(e) && (e.transcriptChanged ? this.isReady && this.onReady() : this.postInstance())));
    this._register(
      fleet.onDidRename((e) => {
        if (e.oldName !== this.name) return;
        this.name = e.newName;
        this.setTitle();
        this.postInstance();
      }),
    );
    this._register(
      fleet.onDidKill((e) => {
        if (!mine(e)) return;
        this.ended = true;
        this.postUpdate({ type: 'didEnd', reason: `Instance '${this.name}' was killed. The transcript stays readable here.` });
      }),
    );
  }

  get instanceName(): string {
    return this.name;
  }

  protected get label(): string {
    return `Chat '${this.name}'`;
  }

  private setTitle(): void {
    this.panel.title = `Chat: ${this.name}`;
  }

  protected async handle(m: Exclude<WebviewMessage, { type: 'ready' }>): Promise<void> {
    switch (m.type) {
      case 'send': {
        if (this.ended) throw new Error(`Instance '${this.name}' was killed.`);
        const handle = this.deps.fleet.ask(this.name, m.text, m.model ? { model: m.model } : undefined);
        handle.catch(() => undefined); // the failure shows as the answer's error in the chat
        return;
      }
      case 'stop':
        // False when the ask ended (or left the queue) before the click arrived: said on that ask, not swallowed.
        if (!this.deps.fleet.cancel(this.name, m.askId)) throw new Error('It had already finished: there was nothing to stop.');
        return;
      case 'forkFrom':
        await vscode.commands.executeCommand('llmFleet.fork', { name: this.name, atMessage: m.messageId });
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        return;
      case 'insert': {
        const editor = this.deps.lastEditor();
        if (!editor) throw new Error('Open a text editor first: the code is inserted at its cursor.');
        await editor.edit((b) => editor.selections.forEach((s) => b.replace(s, m.text)));
        return;
      }
      case 'runAction':
        // "Raise the cap…" is about this chat's instance.
        await (m.command === 'llmFleet.setBudget' ? vscode.commands.executeCommand(m.command, { name: this.name }) : vscode.commands.executeCommand(m.command));
        return;
      case 'sendAnyway':
        this.sendAnyway(m.messageId);
        return;
      case 'openLink':
        await openLink(m.href);
        return;
      case 'pin':
        this.deps.fleet.pin(this.name, m.messageId, m.pinned);
        return;
    }
  }

  /** Resends the question a budget refused, past the caps, at most once per refused answer. */
  private sendAnyway(answerId: string): void {
    if (this.ended) throw new Error(`Instance '${this.name}' was killed.`);
    if (resent.has(answerId)) throw new Error('That ask was already sent anyway once. Raise the cap to send more.');
    const transcript = this.deps.fleet.get(this.name).transcript;
    const i = transcript.findIndex((x) => x.id === answerId);
    const question = i > 0 ? transcript[i - 1] : undefined;
    if (!question || question.role !== 'user') throw new Error('The question of that answer is no longer in the transcript; ask it again.');
    resent.add(answerId);
    this.deps.fleet.ask(this.name, question.text, { overrideBudget: true }).catch(() => undefined);
  }

  protected override onFailure(m: Exclude<WebviewMessage, { type: 'ready' }>, e: unknown): void {
    this.post({ type: 'didFail', message: errorMessage(e), ...(m.type === 'stop' ? { askId: m.askId } : {}) });
  }

  protected onReady(): void {
    if (!this.deps.fleet.has(this.name)) {
      this.ended = true;
      this.post({ type: 'didEnd', reason: `There is no instance named '${this.name}' any more.` });
      return;
    }
    const instance = this.deps.fleet.get(this.name);
    const current = instance.currentAsk;
    const messages = instance.transcript.map(messageView);
    // The snapshot carries the text so far: what was buffered for it would be a second copy.
    this.pending.delete(current?.id ?? '');
    this.post({
      type: 'didLoad',
      instance: instanceView(instance),
      messages,
      ...(current ? { streaming: { askId: current.id, text: current.text } } : {}),
    });
  }

  private postInstance(): void {
    if (this.deps.fleet.has(this.name)) this.postUpdate({ type: 'didChangeInstance', instance: instanceView(this.deps.fleet.get(this.name)) });
  }

  private buffer(askId: string, delta: string): void {
    if (!this.isReady) return; // the next page's didLoad carries the text so far
    this.pending.set(askId, (this.pending.get(askId) ?? '') + delta);
    this.flushTimer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [askId, text] of this.pending) this.postUpdate({ type: 'didStream', askId, text });
    this.pending.clear();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Scrolls the page to one message and highlights it; a page still loading gets it after its snapshot. */
  revealMessage(messageId: string): void {
    this.post({ type: 'didRevealMessage', messageId });
  }
}
