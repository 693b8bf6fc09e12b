import * as vscode from 'vscode';
import type { BackendKind } from '../core/backends/backend';
import { detect, type BackendFinding } from '../core/backends/detect';
import type { Logger } from '../core/fleet';
import { changed, setting } from './config';
import { CONTEXT_KEYS } from './contextValues';
import type { Secrets } from './secrets';

/**
 * What is usable here: `claude` on PATH or at its setting, an Anthropic key, Ollama at its host, the configured
 * OpenAI-compatible server. Runs at start and again when a relevant setting or key changes; the welcome view's
 * buttons and the spawn picker read the findings.
 */
export class BackendDetection implements vscode.Disposable {
  private current: readonly BackendFinding[] = [];
  private running: Promise<readonly BackendFinding[]> | undefined;
  private readonly _onDidChange = new vscode.EventEmitter<readonly BackendFinding[]>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscriptions: vscode.Disposable[] = [this._onDidChange];

  constructor(private readonly secrets: Secrets, private readonly log: Logger) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => changed(e, 'claudeCode.path', 'ollama.host', 'openai.baseUrl') && void this.refresh()),
      secrets.onDidChange(() => void this.refresh()),
    );
  }

  get findings(): readonly BackendFinding[] {
    return this.current;
  }

  /** The finding for a backend kind, once detection has run. */
  finding(kind: BackendKind): BackendFinding | undefined {
    return this.current.find((f) => f.kind === kind);
  }

  /** Probes every backend (a second call while one runs shares it) and updates the context keys. */
  refresh(): Promise<readonly BackendFinding[]> {
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<readonly BackendFinding[]> {
    const openAiBaseUrl = setting('openai.baseUrl').trim();
    const findings = await detect({
      claudePath: setting('claudeCode.path'),
      getAnthropicKey: () => this.secrets.get('anthropic'),
      ollamaHost: setting('ollama.host'),
      openAiServers: openAiBaseUrl ? [{ name: 'OpenAI-compatible server', baseURL: openAiBaseUrl }] : [],
      getOpenAiKey: () => this.secrets.get('openai'),
    });
    this.current = findings;
    for (const f of findings) this.log.info(`Detected ${f.label}: ${f.usable ? 'usable' : 'not usable'}. ${f.detail}${f.hint ? ` ${f.hint}` : ''}`);
    const usable = (kind: BackendKind) => findings.some((f) => f.kind === kind && f.usable);
    await Promise.all([
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.claudeFound, usable('claudeCode')),
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.anthropicKey, usable('anthropic')),
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.ollamaFound, usable('ollama')),
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.detected, true),
    ]);
    this._onDidChange.fire(findings);
    return findings;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
