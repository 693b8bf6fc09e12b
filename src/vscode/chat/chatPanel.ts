import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Fleet } from '../../core/fleet';
import type { Logger } from '../../core/log';
import { openLink } from '../openLink';
import { parseWebviewMessage, type ChatWebviewState, type HostMessage, type WebviewMessage } from '../../webview/chat/protocol';
import { webviewHtml } from '../webviewHtml';
import { instanceView, messageView } from './views';

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
 * The host side of one instance's chat. It waits for the webview's `ready`, then sends the transcript and follows
 * the Fleet's events for this instance; stream deltas are batched per flush interval.
 */
export class ChatPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private pending = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  /** Every valid message from the webview, once the host has handled it without an error. */
  private readonly _onDidHandleMessage = new vscode.EventEmitter<WebviewMessage>();
  readonly onDidHandleMessage = this._onDidHandleMessage.event;
  /** Every message posted to the webview, and whether the webview took it (false once it is gone). */
  private readonly _onDidPost = new vscode.EventEmitter<{ readonly message: HostMessage; readonly delivered: boolean }>();
  readonly onDidPost = this._onDidPost.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private name: string,
    private readonly deps: ChatPanelDeps,
  ) {
    const { fleet } = deps;
    this.setTitle();
    const state: ChatWebviewState = { name };
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, { bundle: 'chat', css: 'chat.css', title: `Chat: ${name}`, state });
    const mine = (e: { name: string }) => e.name === this.name;
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      fleet.onDidStartTurn((e) => mine(e) && this.post({ type: 'didStartTurn', askId: e.askId, message: messageView(e.message) })),
      fleet.onDidStream((e) => mine(e) && this.buffer(e.askId, e.delta)),
      fleet.onDidCompleteTurn((e) => {
        if (!mine(e)) return;
        this.flush();
        this.post({ type: 'didCompleteTurn', askId: e.askId, message: messageView(e.message) });
        this.postInstance();
      }),
      fleet.onDidChangeStatus((e) => mine(e) && this.postInstance()),
      fleet.onDidChangeInstance((e) => mine(e) && this.postInstance()),
      fleet.onDidRename((e) => {
        if (e.oldName !== this.name) return;
        this.name = e.newName;
        this.setTitle();
        this.postInstance();
      }),
      fleet.onDidKill((e) => {
        if (!mine(e)) return;
        this.ended = true;
        this.post({ type: 'didEnd', reason: `Instance '${this.name}' was killed. The transcript stays readable here.` });
      }),
    );
  }

  get instanceName(): string {
    return this.name;
  }

  private setTitle(): void {
    this.panel.title = `Chat: ${this.name}`;
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn(`Chat '${this.name}': ignored a webview message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    void this.handle(message).then(
      () => this._onDidHandleMessage.fire(message),
      (e) => this.post({ type: 'didFail', message: errorMessage(e) }),
    );
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        return this.load();
      case 'send': {
        if (this.ended) throw new Error(`Instance '${this.name}' was killed.`);
        const handle = this.deps.fleet.ask(this.name, m.text);
        handle.catch(() => undefined); // the failure shows as the answer's error in the chat
        return;
      }
      case 'stop':
        this.deps.fleet.cancel(this.name);
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
        await vscode.commands.executeCommand(m.command);
        return;
      case 'openLink':
        await openLink(m.href);
        return;
    }
  }

  private load(): void {
    if (!this.deps.fleet.has(this.name)) {
      this.ended = true;
      this.post({ type: 'didEnd', reason: `There is no instance named '${this.name}' any more.` });
      return;
    }
    const instance = this.deps.fleet.get(this.name);
    const current = instance.currentAsk;
    const messages = instance.transcript.map(messageView);
    this.pending.delete(current?.id ?? '');
    this.post({
      type: 'didLoad',
      instance: instanceView(instance),
      messages,
      ...(current ? { streaming: { askId: current.id, text: current.text } } : {}),
    });
  }

  private postInstance(): void {
    if (this.deps.fleet.has(this.name)) this.post({ type: 'didChangeInstance', instance: instanceView(this.deps.fleet.get(this.name)) });
  }

  private buffer(askId: string, delta: string): void {
    this.pending.set(askId, (this.pending.get(askId) ?? '') + delta);
    this.flushTimer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [askId, text] of this.pending) this.post({ type: 'didStream', askId, text });
    this.pending.clear();
  }

  private post(message: HostMessage): void {
    // Before `ready` the webview would drop messages; `load()` sends everything once it is ready.
    if (!this.ready) return;
    void this.panel.webview.postMessage(message).then(
      (delivered) => this._onDidPost.fire({ message, delivered }),
      () => this._onDidPost.fire({ message, delivered: false }),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    vscode.Disposable.from(...this.subscriptions).dispose();
    this.subscriptions.length = 0;
    this._onDidDispose.fire();
    for (const e of [this._onDidDispose, this._onDidHandleMessage, this._onDidPost]) e.dispose();
  }
}
