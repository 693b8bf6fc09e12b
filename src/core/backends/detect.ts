/**
 * Backend discovery: on start, what is usable here and, for anything that is not, why and what to do. The UI
 * shows the findings; nothing here throws, and every probe runs at once with a short timeout so a dead host never
 * holds up the window.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { BackendKind } from '../kinds';
import { BackendError, errorMessage } from '../errors';
import { OllamaBackend } from './ollama';
import { DEFAULT_OLLAMA_HOST } from './ollamaWire';
import { OpenAiBackend } from './openai';

/** An OpenAI-compatible server from the settings. */
export interface OpenAiServerSetting {
  readonly name?: string;
  readonly baseURL: string;
}

export interface DetectOptions {
  /** The configured `claude` executable; when absent, `claude` is looked up on `searchPath`. */
  claudePath?: string;
  /** The PATH to search; defaults to the process's. */
  searchPath?: string;
  /** The Anthropic key from SecretStorage or the environment; its value is never reported. */
  getAnthropicKey?(): Promise<string | undefined>;
  /** Where to look for Ollama; default http://127.0.0.1:11434. */
  ollamaHost?: string;
  openAiServers?: readonly OpenAiServerSetting[];
  getOpenAiKey?(baseURL: string): Promise<string | undefined>;
  /** Per network probe; default 1,500 ms. */
  timeoutMs?: number;
  /** Defaults to `process.platform`; Windows looks for `claude.exe`/`.cmd` too. */
  platform?: NodeJS.Platform;
}

/** One backend (or one configured server) and whether it can be used now. */
export interface BackendFinding {
  readonly kind: BackendKind;
  /** What was probed, for the UI: "Ollama at http://127.0.0.1:11434", "LM Studio". */
  readonly label: string;
  readonly usable: boolean;
  /** The executable path, host or base URL probed. */
  readonly target?: string;
  /** What was found, or why it cannot be used. */
  readonly detail: string;
  /** What the user can do about it. */
  readonly hint?: string;
  readonly models?: readonly string[];
  readonly version?: string;
}

const DEFAULT_TIMEOUT_MS = 1500;

/** Probes every backend kind concurrently; one finding for each, plus one per configured OpenAI-compatible server. */
export async function detect(options: DetectOptions = {}): Promise<BackendFinding[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probes: Array<Promise<BackendFinding>> = [
    guard('claudeCode', 'Claude Code CLI', () => findClaude(options)),
    guard('anthropic', 'Anthropic API', () => findAnthropicKey(options)),
    guard('ollama', 'Ollama', () => probeOllama(options.ollamaHost?.trim() || DEFAULT_OLLAMA_HOST, timeoutMs)),
    ...(options.openAiServers ?? []).map((s) => guard('openai', s.name || s.baseURL, () => probeOpenAi(s, timeoutMs, options.getOpenAiKey))),
  ];
  return Promise.all(probes);
}

/** A probe that fails unexpectedly still yields a finding. */
async function guard(kind: BackendKind, label: string, probe: () => Promise<BackendFinding>): Promise<BackendFinding> {
  try {
    return await probe();
  } catch (e) {
    return { kind, label, usable: false, detail: `Could not check: ${errorMessage(e)}` };
  }
}

async function findClaude(options: DetectOptions): Promise<BackendFinding> {
  const label = 'Claude Code CLI';
  const platform = options.platform ?? process.platform;
  if (options.claudePath?.trim()) {
    const path = options.claudePath.trim();
    const problem = isAbsolute(path) ? await notExecutable(path, platform) : 'the setting must be an absolute path';
    return problem
      ? { kind: 'claudeCode', label, usable: false, target: path, detail: `The configured Claude Code path ${path} cannot be used: ${problem}.`, hint: 'Fix the Claude Code path setting, or clear it to use `claude` from PATH.' }
      : { kind: 'claudeCode', label, usable: true, target: path, detail: `Found at ${path} (from the settings).` };
  }
  const names = platform === 'win32' ? ['claude.exe', 'claude.cmd', 'claude'] : ['claude'];
  for (const dir of (options.searchPath ?? process.env.PATH ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (!(await notExecutable(candidate, platform))) return { kind: 'claudeCode', label, usable: true, target: candidate, detail: `Found on PATH at ${candidate}.` };
    }
  }
  return { kind: 'claudeCode', label, usable: false, detail: '`claude` is not on PATH.', hint: 'Install Claude Code (npm install -g @anthropic-ai/claude-code), or set its path in the settings.' };
}

/** Why `path` cannot be run, or undefined when it can. */
async function notExecutable(path: string, platform: NodeJS.Platform): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return 'it is not a file';
    if (platform !== 'win32') await access(path, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'it is not executable' : errorMessage(e);
  }
}

async function findAnthropicKey(options: DetectOptions): Promise<BackendFinding> {
  const label = 'Anthropic API';
  const key = await options.getAnthropicKey?.();
  return key?.trim()
    ? { kind: 'anthropic', label, usable: true, detail: 'An API key is set.' }
    : { kind: 'anthropic', label, usable: false, detail: 'No Anthropic API key is set.', hint: 'Set one with "LLM Fleet: Set API Key…" or the ANTHROPIC_API_KEY environment variable.' };
}

async function probeOllama(host: string, timeoutMs: number): Promise<BackendFinding> {
  const label = `Ollama at ${host}`;
  const backend = new OllamaBackend({ host });
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const version = await backend.version(signal);
    const models = (await backend.listModels(signal)).map((m) => m.name);
    if (models.length === 0) {
      return { kind: 'ollama', label, usable: false, target: host, version, models, detail: `Ollama ${version} is running at ${host} but has no models.`, hint: 'Run `ollama pull qwen2.5` (or any model), then refresh.' };
    }
    return { kind: 'ollama', label, usable: true, target: host, version, models, detail: `Ollama ${version} at ${host} with ${plural(models.length, 'model')}.` };
  } catch (e) {
    const error = asBackendError(e);
    return { kind: 'ollama', label, usable: false, target: host, detail: error.message, hint: error.hint };
  }
}

async function probeOpenAi(server: OpenAiServerSetting, timeoutMs: number, getKey: DetectOptions['getOpenAiKey']): Promise<BackendFinding> {
  const label = server.name || server.baseURL;
  const backend = new OpenAiBackend({ baseURL: server.baseURL, getApiKey: getKey, maxRetries: 0, timeoutMs });
  try {
    const models = (await backend.listModels(AbortSignal.timeout(timeoutMs))).map((m) => m.id);
    if (models.length === 0) {
      return { kind: 'openai', label, usable: false, target: server.baseURL, models, detail: `${label} answers but lists no models.`, hint: 'Load a model in the server (LM Studio: load one in the app; vLLM: --model), then refresh.' };
    }
    return { kind: 'openai', label, usable: true, target: server.baseURL, models, detail: `${label} with ${plural(models.length, 'model')}.` };
  } catch (e) {
    const error = asBackendError(e);
    return { kind: 'openai', label, usable: false, target: server.baseURL, detail: error.message, hint: error.hint };
  }
}

function asBackendError(e: unknown): BackendError {
  return e instanceof BackendError ? e : new BackendError('server', errorMessage(e));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
