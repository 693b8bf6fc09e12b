import * as vscode from 'vscode';
import type { BroadcastResult } from '../../core/broadcast';
import type { Fleet } from '../../core/fleet';
import { toDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/log';
import { openLink } from '../openLink';
import { parseCompareMessage, type ColumnResult, type ColumnView, type CompareHostMessage, type CompareWebviewMessage } from '../../webview/compare/protocol';
import { BACKEND_LABELS } from '../presentation';
import { costView, tokensView } from '../chat/views';
import { WebviewBase, type WebviewPanelLike } from '../webviewBase';
import { webviewHtml, webviewOptions } from '../webviewHtml';

const FLUSH_MS = 50;

export function columnResult(r: BroadcastResult): ColumnResult {
  return {
    ok: r.ok,
    text: r.text,
    model: r.model,
    cost: costView(r.cost),
    latencyMs: r.latencyMs,
    tokens: r.usage ? tokensView(r.usage) : undefined,
    error: r.error,
  };
}

/**
 * The broadcast comparison: one column per instance with its answer, $, latency and tokens side by side, streamed
 * live. The panel keeps everything it was sent, so every page load starts from all of it (`didLoad`), and streamed
 * text and results are updates on top (see ../webviewBase.ts).
 */
export class ComparePanel extends WebviewBase<CompareWebviewMessage, CompareHostMessage> {
  private readonly results: Record<string, ColumnResult> = {};
  private readonly partial: Record<string, string> = {};
  private readonly pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  /** Opens the comparison of one broadcast in a new panel. */
  static open(fleet: Fleet, extensionUri: vscode.Uri, log: Logger, prompt: string, names: readonly string[]): ComparePanel {
    const columns: ColumnView[] = names.map((n) => {
      const i = fleet.status(n);
      return { name: n, backendLabel: BACKEND_LABELS[i.backend], model: i.model };
    });
    const panel = vscode.window.createWebviewPanel('llmFleet.compare', `Broadcast: ${prompt.slice(0, 30)}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { bundle: 'compare', css: 'compare.css', title: 'Broadcast', state: {} });
    return new ComparePanel(panel, log, prompt, columns);
  }

  constructor(
    panel: WebviewPanelLike,
    log: Logger,
    private readonly prompt: string,
    private readonly columns: readonly ColumnView[],
  ) {
    super(panel, parseCompareMessage, log);
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  protected get label(): string {
    return 'Broadcast view';
  }

  protected onReady(): void {
    this.pending.clear(); // already in `partial`
    this.post({ type: 'didLoad', prompt: this.prompt, columns: this.columns, results: this.results, partial: this.partial });
  }

  protected async handle(m: Exclude<CompareWebviewMessage, { type: 'ready' }>): Promise<void> {
    if (m.type === 'copy') await vscode.env.clipboard.writeText(m.text);
    else await openLink(m.href);
  }

  /** Streamed text of one column. */
  stream(name: string, delta: string): void {
    if (this.isDisposed) return;
    this.partial[name] = (this.partial[name] ?? '') + delta;
    if (!this.isReady) return; // the next didLoad carries `partial`
    this.pending.set(name, (this.pending.get(name) ?? '') + delta);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  finish(result: BroadcastResult): void {
    if (this.isDisposed) return;
    this.flush();
    this.results[result.name] = columnResult(result);
    this.postUpdate({ type: 'didFinish', name: result.name, result: this.results[result.name] });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [name, text] of this.pending) this.postUpdate({ type: 'didStream', name, text });
    this.pending.clear();
  }
}
