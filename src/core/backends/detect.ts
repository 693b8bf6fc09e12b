/**
 * Backend discovery: on start, what is usable here and, for anything that is not, why and what to do. The UI
 * shows the findings; nothing here throws, and every probe runs at once with a short timeout so a dead host never
 * holds up the window.
 */
import { isAbsolute } from 'node:path';
import type { BackendKind } from '../kinds';
import { BackendError, errorMessage } from '../errors';
import { OllamaBackend } from './ollama';
import { DEFAULT_OLLAMA_HOST } from './ollamaWire';
import { OpenAiBackend } from './openai';
import { envValue, executableProblem, findExecutable } from './which';

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
  /** Windows: the extensions to try on PATH; defaults to the process's PATHEXT. */
  pathExt?: string;
  /** The Anthropic key from SecretStorage or the environment; its value is never reported. */
  getAnthropicKey?(): Promise<string | undefined>;
  /** Where to look for Ollama; default http://127.0.0.1:11434. */
  ollamaHost?: string;
  openAiServers?: readonly OpenAiServerSetting[];
  getOpenAiKey?(baseURL: string): Promise<string | undefined>;
  /** Per network probe; default 1,500 ms. */
  timeoutMs?: number;
  /** Defaults to `process.platform`; on Windows `claude` is looked up with PATHEXT (`claude.exe`, `claude.cmd`, …). */
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
    const problem = isAbsolute(path) ? await executableProblem(path, platform) : 'the setting must be an absolute path';
    return problem
      ? { kind: 'claudeCode', label, usable: false, target: path, detail: `The configured Claude Code path ${path} cannot be used: ${problem}.`, hint: 'Fix the Claude Code path setting, or clear it to use `claude` from PATH.' }
      : { kind: 'claudeCode', label, usable: true, target: path, detail: `Found at ${path} (from the settings).` };
  }
  // The backend's own lookup, so what is reported found here is what an instance then starts.
  const found = await findExecutable('claude', {
    path: options.searchPath ?? envValue(process.env, 'PATH', platform),
    pathExt: options.pathExt ?? envValue(process.env, 'PATHEXT', platform),
    platform,
  });
  if (found) return { kind: 'claudeCode', label, usable: true, target: found, detail: `Found on PATH at ${found}.` };
  return { kind: 'claudeCode', label, usable: false, detail: '`claude` is not on PATH.', hint: 'Install Claude Code (npm install -g @anthropic-ai/claude-code), or set its path in the settings.' };
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
