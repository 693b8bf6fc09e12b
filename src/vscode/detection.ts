import * as vscode from 'vscode';
import type { BackendKind } from '../core/kinds';
import { detect, type BackendFinding } from '../core/backends/detect';
import { Disposable } from '../core/lifecycle';
import type { Logger } from '../core/log';
import { changed, setting } from './config';
import { CONTEXT_KEYS } from './contextValues';
import type { Secrets } from './secrets';

/**
 * What is usable here: `claude` on PATH or at its setting, an Anthropic key, Ollama at its host, the configured
 * OpenAI-compatible server. Runs at start and again when a relevant setting or key changes; the welcome view's
 * buttons and the spawn picker read the findings.
 */
export class BackendDetection extends Disposable {
  private current: readonly BackendFinding[] = [];
  private running: Promise<void> | undefined;
  /** A change arrived while a probe ran: that probe may have read the old setting or key, so probe again. */
  private stale = false;

  constructor(private readonly secrets: Secrets, private readonly log: Logger) {
    super();
    this._register(vscode.workspace.onDidChangeConfiguration((e) => changed(e, 'claudeCode.path', 'ollama.host', 'openai.baseUrl') && void this.refresh()));
    this._register(secrets.onDidChange(() => void this.refresh()));
  }

  get findings(): readonly BackendFinding[] {
    return this.current;
  }

  /** Probes every backend and updates the context keys; a call while a probe runs makes it run once more after. */
  refresh(): Promise<void> {
    if (this.running) {
      this.stale = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.stale = false;
        await this.probe();
      } while (this.stale);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<void> {
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
  }
}
