/**
 * The host side every webview panel shares: the ready handshake, posting, parsing what the page sends with the
 * page's own protocol parser, and replies to requests. The page's side is src/webview/shared/hostChannel.ts.
 *
 * A page is loaded more than once in a panel's life: our panels do not retain their context, so VS Code discards the
 * page while the panel is hidden and loads it again when it is shown (and on "Reload Webviews"). Every load says
 * `ready` again, and gets `onReady()`, the subclass's snapshot of what the page shows. So there are two ways to post:
 *   - `post`: a message the page must see (a notice). Held while no page listens, sent after the next snapshot.
 *   - `postUpdate`: a change the next snapshot includes anyway (a streamed delta, a status). Dropped while no page
 *     listens, so a reloaded page never applies it twice.
 * Only `vscode` types are used here, never the module, so unit tests can drive the base with a fake panel.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { Disposable, Emitter, toDisposable, type Event } from '../core/lifecycle';
import type { Logger } from '../core/log';
import { requestIdOf, type DidReply } from '../webview/shared/messaging';

/** What the base needs of a `vscode.WebviewPanel`. */
export interface WebviewPanelLike {
  readonly visible: boolean;
  readonly webview: { postMessage(message: unknown): Thenable<boolean>; readonly onDidReceiveMessage: vscode.Event<unknown> };
  readonly onDidChangeViewState: vscode.Event<unknown>;
  readonly onDidDispose: vscode.Event<void>;
  dispose(): void;
}

type Ready = { readonly type: 'ready' };

export abstract class WebviewBase<In extends { readonly type: string }, Out extends { readonly type: string }> extends Disposable {
  private ready = false;
  private queue: Out[] = [];
  private disposed = false;

  private readonly _onDidDispose = this._register(new Emitter<void>());
  readonly onDidDispose: Event<void> = this._onDidDispose.event;
  /** Every valid message from the page, once the host has handled it without an error. */
  private readonly _onDidHandleMessage = this._register(new Emitter<In>());
  readonly onDidHandleMessage: Event<In> = this._onDidHandleMessage.event;
  /** Every message posted to the page, and whether the page took it (false once it is gone). */
  private readonly _onDidPost = this._register(new Emitter<{ readonly message: Out | DidReply; readonly delivered: boolean }>());
  readonly onDidPost = this._onDidPost.event;

  protected constructor(
    private readonly webviewPanel: WebviewPanelLike,
    private readonly parse: (raw: unknown) => In | undefined,
    protected readonly log: Logger,
  ) {
    super();
    this._register(webviewPanel.webview.onDidReceiveMessage((raw) => void this.receive(raw)));
    // Hidden, the page is discarded; until the next one says `ready`, nothing would reach it.
    this._register(
      webviewPanel.onDidChangeViewState(() => {
        if (!webviewPanel.visible) this.ready = false;
      }),
    );
    this._register(webviewPanel.onDidDispose(() => this.dispose()));
    // Disposing the host closes its panel; closing the panel disposes the host (above). Either way round, once.
    this._register(toDisposable(() => webviewPanel.dispose()));
  }

  /** Names the page in the log. */
  protected abstract get label(): string;
  /** A page (re)loaded and said `ready`: post everything it shows. Queued `post`s follow it. */
  protected abstract onReady(): void;
  /** Runs one command of the page; a throw is the request's error, or goes to `onFailure`. */
  protected abstract handle(message: Exclude<In, Ready>): void | Promise<void>;

  /** A command that was not a request failed; by default, the log hears of it. */
  protected onFailure(message: Exclude<In, Ready>, error: unknown): void {
    this.log.warn(`${this.label}: '${message.type}' failed: ${errorMessage(error)}`);
  }

  /** Whether a page is listening now (it said `ready`, and the panel has not been hidden since). */
  get isReady(): boolean {
    return this.ready;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Sends a message the page must see: at once when a page listens, else after the next page's `ready`, in order. */
  post(message: Out): void {
    if (this.disposed) return;
    if (this.ready) this.send(message);
    else this.queue.push(message);
  }

  /** Sends a change that the next `onReady()` snapshot would include: dropped while no page listens. */
  protected postUpdate(message: Out): void {
    if (this.ready && !this.disposed) this.send(message);
  }

  /**
   * Where the page's messages arrive. Public so the integration tests can play the page's part; resolves once the
   * message is handled (and replied to). Unknown messages are logged and ignored, but a request among them is still
   * answered, so the page's Promise never hangs.
   */
  async receive(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const requestId = requestIdOf(raw);
    const message = this.parse(raw);
    if (!message) {
      this.log.warn(`${this.label}: ignored a webview message of unknown type or shape: ${preview(raw)}`);
      if (requestId) this.reply({ type: 'didReply', requestId, ok: false, error: 'The host does not know that message.' });
      return;
    }
    try {
      if (isReady(message)) this.becomeReady();
      else await this.handle(message as Exclude<In, Ready>);
    } catch (e) {
      if (requestId) this.reply({ type: 'didReply', requestId, ok: false, error: errorMessage(e) });
      else if (!isReady(message)) this.onFailure(message as Exclude<In, Ready>, e);
      else this.log.error(`${this.label}: could not load the page: ${errorMessage(e)}`);
      return;
    }
    if (requestId) this.reply({ type: 'didReply', requestId, ok: true });
    this._onDidHandleMessage.fire(message);
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.queue = [];
    // Fired before the store lets go, while listeners (the panel registry) can still hear it.
    this._onDidDispose.fire();
    super.dispose();
  }

  private becomeReady(): void {
    this.ready = true;
    this.onReady();
    const queued = this.queue;
    this.queue = [];
    for (const m of queued) this.send(m);
  }

  /**
   * Sent at once, never held: the page that asked is listening (its channel listens before it can ask, even before
   * its `ready`), and a page loaded since has no such request, so holding the reply for it would be pointless.
   */
  private reply(reply: DidReply): void {
    if (!this.disposed) this.send(reply);
  }

  private send(message: Out | DidReply): void {
    void this.webviewPanel.webview.postMessage(message).then(
      (delivered) => this._onDidPost.fire({ message, delivered }),
      () => this._onDidPost.fire({ message, delivered: false }),
    );
  }
}

/** A short, safe rendering of a rejected message for the log (structured clones may be cyclic). */
function preview(raw: unknown): string {
  try {
    return String(JSON.stringify(raw)).slice(0, 200);
  } catch {
    return Object.prototype.toString.call(raw);
  }
}

function isReady(m: { readonly type: string }): m is Ready {
  return m.type === 'ready';
}
