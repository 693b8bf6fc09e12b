import * as vscode from 'vscode';
import { AnthropicBackend } from '../core/backends/anthropic';
import type { Backend } from '../core/backends/backend';
import { ClaudeCodeBackend } from '../core/backends/claudeCode';
import { OllamaBackend } from '../core/backends/ollama';
import { OpenAiBackend } from '../core/backends/openai';
import { cliRetryEnv } from '../core/routing/fallback';
import type { Logger } from '../core/log';
import { setting } from './config';
import type { Secrets } from './secrets';

/**
 * The four backends, configured from settings and secrets. Settings and keys are read per request or per process
 * start, so a changed setting or a new key applies without a reload.
 */
export function createBackends(secrets: Secrets, log: Logger, chainApplies: (instance: string) => boolean = () => false): Backend[] {
  return [
    new ClaudeCodeBackend({
      binaryPath: () => setting('claudeCode.path') || undefined,
      cwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      getApiKey: () => secrets.get('anthropic'),
      log,
      // While a fallback chain applies to an instance, the chain owns retries: its CLI makes none of its own, so each
      // chain attempt is one request; a process started before the chain was set (or cleared) is resumed anew.
      envFor: (instance) => cliRetryEnv(chainApplies(instance)),
    }),
    new AnthropicBackend({
      getApiKey: () => secrets.get('anthropic'),
      baseURL: () => setting('anthropic.baseUrl') || undefined,
      // Inside a fallback chain each attempt asks for no SDK retries itself (TurnRequest.sdkRetries); other turns keep these.
      maxRetries: () => setting('anthropic.maxRetries'),
    }),
    new OllamaBackend({
      host: () => setting('ollama.host'),
      numCtx: () => setting('ollama.numCtx') || undefined,
    }),
    new OpenAiBackend({
      baseURL: () => setting('openai.baseUrl'),
      // The key belongs to the configured server: an instance pointed elsewhere (its own baseURL option) gets none.
      getApiKey: async (baseURL) => (sameUrl(baseURL, setting('openai.baseUrl')) ? secrets.get('openai') : undefined),
      // The SDK's default; none inside a fallback chain's attempts (TurnRequest.sdkRetries).
      maxRetries: 2,
    }),
  ];
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, '');
  return norm(a) !== '' && norm(a) === norm(b);
}
