import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Ledger } from '../../core/cost/ledger';
import type { Fleet } from '../../core/fleet';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/log';
import { parseWebviewMessage, type DashboardPeriod, type DashboardWebviewState, type HostMessage, type WebviewMessage } from '../../webview/dashboard/protocol';
import { WebviewBase } from '../webviewBase';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { chartRange, loadDashboard, topRequests, type Caps } from './dashboardData';
import { recordsToCsv, recordsToJson } from './ledgerExport';
import { locateRequest } from './requestLocation';
import type { ChatPanels } from '../chat/chatPanels';

export const DASHBOARD_VIEW_TYPE = 'llmFleet.dashboard';
/** Turns often end in bursts (a broadcast): one reload after the burst, not one per answer. */
const RELOAD_DEBOUNCE_MS = 300;

export interface DashboardDeps {
  readonly ledger: Ledger;
  readonly fleet: Fleet;
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  /** The caps the budget stage enforces (from settings); read here only to draw gauges. */
  readonly caps: () => Caps;
  /** Opens an instance's chat, which a top request scrolls to its answer. */
  readonly chats: Pick<ChatPanels, 'open'>;
}

/**
 * The host side of the usage dashboard. Each page load gets the summaries (`didLoad`) and then the period's top
 * requests (`didLoadTop`); turn ends and budget edits reload both as updates. A load that a newer one overtook is
 * dropped, so a slow query never paints over a fresh one.
 */
export class DashboardPanel extends WebviewBase<WebviewMessage, HostMessage> {
  private period: DashboardPeriod;
  private generation = 0;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: DashboardDeps,
    state: DashboardWebviewState | undefined,
  ) {
    super(panel, parseWebviewMessage, deps.log);
    this.period = state?.period ?? 'day';
    panel.title = 'LLM Fleet: Usage';
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, { bundle: 'dashboard', css: 'dashboard.css', title: 'LLM Fleet: Usage', state: { period: this.period } });
    this._register(toDisposable(() => clearTimeout(this.reloadTimer)));
    this._register(deps.fleet.onDidCompleteTurn(() => this.scheduleReload()));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmFleet.budget') && this.scheduleReload()));
  }

  protected get label(): string {
    return 'Usage dashboard';
  }

  protected onReady(): void {
    void this.load();
  }

  protected async handle(m: Exclude<WebviewMessage, { type: 'ready' }>): Promise<void> {
    switch (m.type) {
      case 'setPeriod':
        this.period = m.period;
        return this.load();
      case 'refresh':
        return this.load();
      case 'openRequest':
        return this.openRequest(m.instance, m.askId);
      case 'export':
        return this.export(m.format);
    }
  }

  protected override onFailure(_m: Exclude<WebviewMessage, { type: 'ready' }>, e: unknown): void {
    this.postUpdate({ type: 'didFail', message: errorMessage(e) });
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.load(), RELOAD_DEBOUNCE_MS);
  }

  /** Summaries first (fast, from the index), then the one scan the top list needs. */
  private async load(): Promise<void> {
    const gen = ++this.generation;
    const period = this.period;
    const now = this.deps.ledger.now();
    try {
      const view = await loadDashboard(this.deps.ledger, period, now, this.deps.caps());
      if (gen !== this.generation) return;
      this.postUpdate({ type: 'didLoad', view });
      const records = await this.deps.ledger.records(view.from, view.to);
      if (gen !== this.generation) return;
      this.postUpdate({ type: 'didLoadTop', period, top: topRequests(records) });
    } catch (e) {
      this.log.warn(`Usage dashboard: could not read the ledger: ${errorMessage(e)}`);
      if (gen === this.generation) this.postUpdate({ type: 'didFail', message: `The usage ledger could not be read: ${errorMessage(e)}` });
    }
  }

  /**
   * Opens the chat holding the request's answer, scrolled to it and highlighted. A request whose answer is not here
   * (a killed instance, another window's or workspace's record) says so in a notification rather than doing nothing.
   */
  private openRequest(instance: string, askId: string): void {
    const at = locateRequest(this.deps.fleet, instance, askId);
    if (at.kind === 'noInstance') {
      void vscode.window.showInformationMessage(at.message);
      return;
    }
    const chat = this.deps.chats.open(at.instance);
    if (at.kind === 'found') chat.revealMessage(at.messageId);
    else void vscode.window.showInformationMessage(at.message);
  }

  private async export(format: 'csv' | 'json'): Promise<void> {
    const { from, to } = chartRange(this.period, this.deps.ledger.now());
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const target = await vscode.window.showSaveDialog({
      title: 'LLM Fleet: Export Usage',
      saveLabel: 'Export',
      // Next to the work when a folder is open; a bare file name would point at the file system's root.
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()), `llm-fleet-usage-${day(from)}-to-${day(to - 1)}.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return;
    const records = await this.deps.ledger.records(from, to);
    const text = format === 'csv' ? recordsToCsv(records) : recordsToJson(records);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`LLM Fleet: exported ${records.length} usage record(s) to ${target.fsPath}.`);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }
}

/** At most one dashboard; it comes back after a window reload through the serializer. */
export class Dashboards extends Disposable implements vscode.WebviewPanelSerializer<DashboardWebviewState> {
  private current: DashboardPanel | undefined;

  constructor(private readonly deps: DashboardDeps) {
    super();
    this._register(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, this));
    this._register(toDisposable(() => this.current?.dispose()));
  }

  show(): DashboardPanel {
    if (this.current) {
      this.current.reveal();
      return this.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'LLM Fleet: Usage', vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
    return this.track(new DashboardPanel(panel, this.deps, undefined));
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: DashboardWebviewState | undefined): Promise<void> {
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    if (this.current) this.current.dispose();
    this.track(new DashboardPanel(panel, this.deps, state));
  }

  private track(p: DashboardPanel): DashboardPanel {
    this.current = p;
    p.onDidDispose(() => this.current === p && (this.current = undefined));
    return p;
  }
}
