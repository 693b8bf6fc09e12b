import * as vscode from 'vscode';
import type { BroadcastResult } from '../../core/broadcast';
import type { Fleet } from '../../core/fleet';
import type { Logger } from '../../core/log';
import { openLink } from '../openLink';
import { parseCompareMessage, type ColumnResult, type ColumnView, type CompareHostMessage } from '../../webview/compare/protocol';
import { BACKEND_LABELS } from '../presentation';
import { costView, tokensView } from '../chat/views';
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
 * live. The panel keeps everything it was sent, so it can reload its webview at any time.
 */
export class ComparePanel implements vscode.Disposable {
  private readonly results: Record<string, ColumnResult> = {};
  private readonly partial: Record<string, string> = {};
  private readonly pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private readonly panel: vscode.WebviewPanel;

  constructor(
    fleet: Fleet,
    extensionUri: vscode.Uri,
    private readonly log: Logger,
    private readonly prompt: string,
    names: readonly string[],
  ) {
    const columns: ColumnView[] = names.map((n) => {
      const i = fleet.status(n);
      return { name: n, backendLabel: BACKEND_LABELS[i.backend], model: i.model };
    });
    this.panel = vscode.window.createWebviewPanel('llmFleet.compare', `Broadcast: ${prompt.slice(0, 30)}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { bundle: 'compare', css: 'compare.css', title: 'Broadcast', state: {} });
    this.panel.webview.onDidReceiveMessage((raw) => {
      const m = parseCompareMessage(raw);
      if (!m) return this.log.warn(`Broadcast view: ignored a webview message of unknown type or shape.`);
      if (m.type === 'copy') return void vscode.env.clipboard.writeText(m.text);
      if (m.type === 'openLink') return void openLink(m.href);
      this.ready = true;
      this.post({ type: 'didLoad', prompt: this.prompt, columns, results: this.results, partial: this.partial });
    });
    this.panel.onDidDispose(() => this.dispose());
  }

  /** Streamed text of one column. */
  stream(name: string, delta: string): void {
    this.partial[name] = (this.partial[name] ?? '') + delta;
    this.pending.set(name, (this.pending.get(name) ?? '') + delta);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  finish(result: BroadcastResult): void {
    this.flush();
    this.results[result.name] = columnResult(result);
    this.post({ type: 'didFinish', name: result.name, result: this.results[result.name] });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [name, text] of this.pending) this.post({ type: 'didStream', name, text });
    this.pending.clear();
  }

  private post(m: CompareHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
