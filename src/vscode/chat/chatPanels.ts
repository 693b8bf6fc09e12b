import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { ChatWebviewState } from '../../webview/chat/protocol';
import { webviewOptions } from '../webviewHtml';
import { ChatPanel, type ChatPanelDeps } from './chatPanel';

export const CHAT_VIEW_TYPE = 'llmFleet.chat';

/** One chat panel per instance; panels come back after a window reload through the serializer. */
export class ChatPanels extends Disposable implements vscode.WebviewPanelSerializer<ChatWebviewState> {
  private readonly panels = new Set<ChatPanel>();

  constructor(private readonly deps: ChatPanelDeps) {
    super();
    this._register(vscode.window.registerWebviewPanelSerializer(CHAT_VIEW_TYPE, this));
    // Each chat closes its panel as it goes; the copy, because each one leaves the set while it is disposed.
    this._register(toDisposable(() => [...this.panels].forEach((p) => p.dispose())));
  }

  /** Opens (or reveals) the chat of an instance. */
  open(name: string, options: { preserveFocus?: boolean } = {}): ChatPanel {
    const existing = this.find(name);
    if (existing) {
      existing.panel.reveal(undefined, options.preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CHAT_VIEW_TYPE, `Chat: ${name}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus }, webviewOptions(this.deps.extensionUri));
    return this.track(new ChatPanel(panel, name, this.deps));
  }

  find(name: string): ChatPanel | undefined {
    return [...this.panels].find((p) => p.instanceName === name);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ChatWebviewState | undefined): Promise<void> {
    if (!state || typeof state.name !== 'string') {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    this.track(new ChatPanel(panel, state.name, this.deps));
  }

  private track(p: ChatPanel): ChatPanel {
    this.panels.add(p);
    p.onDidDispose(() => this.panels.delete(p));
    return p;
  }
}
