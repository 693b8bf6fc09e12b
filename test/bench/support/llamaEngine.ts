/**
 * A real llama.cpp engine (node-llama-cpp, CPU prebuilt) as a token source for the Ollama fake.
 *
 * node-llama-cpp is not a devDependency: as one, every `npm ci` would install all its optional GPU packages
 * (about 725 MB: CUDA, Vulkan, arm builds), and `--omit=optional` cannot be scoped to it without also dropping
 * esbuild's platform binary. So the benchmark installs the exact version, CPU prebuilt only (about 85 MB), into a
 * cache directory outside the clone on first use. Set LLM_FLEET_BENCH_CACHE to put it elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OllamaChatBody, TokenSource, TokenSourceResult } from '../../fixtures/ollamaFake';
import { cleanNpmEnv } from '../../../scripts/npmEnv.mjs';

export const NODE_LLAMA_CPP_VERSION = '3.22.1';

/** The few parts of node-llama-cpp's API used here (it is not installed in the clone, so its types are not either). */
interface ChatSession {
  setChatHistory(history: Array<{ type: 'system' | 'user'; text: string } | { type: 'model'; response: string[] }>): void;
  prompt(text: string, options: { maxTokens: number; temperature: number; signal: AbortSignal; stopOnAbortSignal: boolean; onTextChunk(text: string): void; onToken(tokens: number[]): void }): Promise<string>;
  dispose(options: { disposeSequence: boolean }): void;
}
interface Sequence {
  clearHistory(): Promise<void>;
  readonly tokenMeter: { readonly usedInputTokens: number };
}
interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: 'never'; logLevel?: string }): Promise<{ loadModel(o: { modelPath: string }): Promise<{ createContext(o: { contextSize: number; threads: number }): Promise<{ getSequence(): Sequence; dispose(): Promise<void> }>; dispose(): Promise<void> }>; dispose(): Promise<void> }>;
  LlamaChatSession: new (o: { contextSequence: Sequence; autoDisposeSequence: boolean }) => ChatSession;
}

/** The cache directory, and whether this call had to install into it. */
export function engineCacheDir(): string {
  return process.env.LLM_FLEET_BENCH_CACHE ?? join(homedir(), '.cache', 'llm-fleet', `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}-${process.platform}-${process.arch}`);
}

/** Installs node-llama-cpp with only this machine's CPU prebuilt, once, and loads it. */
export async function loadNodeLlamaCpp(log: (line: string) => void): Promise<{ module: NodeLlamaCpp; dir: string }> {
  const dir = engineCacheDir();
  const manifest = join(dir, 'node_modules', 'node-llama-cpp', 'package.json');
  const installed = existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === NODE_LLAMA_CPP_VERSION;
  if (!installed) {
    const prebuilt = `@node-llama-cpp/${prebuiltName()}@${NODE_LLAMA_CPP_VERSION}`;
    log(`Installing node-llama-cpp@${NODE_LLAMA_CPP_VERSION} + ${prebuilt} into ${dir} (once)…`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'llm-fleet-bench-engine', private: true }, null, 2));
    // --ignore-scripts: the postinstall only looks for a GPU build; the CPU prebuilt needs nothing downloaded.
    const r = spawnSync('npm', ['install', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, prebuilt], {
      cwd: dir,
      stdio: 'inherit',
      // Under `npm run bench`, the outer npm's config (npm_config_*) would become this install's.
      env: cleanNpmEnv(),
      shell: process.platform === 'win32',
    });
    if (r.status !== 0) throw new Error(`npm install in ${dir} failed (exit ${r.status})`);
  }
  const module = (await import(pathToFileURL(join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')).href)) as NodeLlamaCpp;
  return { module, dir };
}

function prebuiltName(): string {
  const os = process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : process.platform;
  return os === 'mac' && process.arch === 'arm64' ? 'mac-arm64-metal' : `${os}-${process.arch}`;
}

/** Copies llama.cpp's vocab-only GGUF for `name` (e.g. "phi-3") out of the source bundle node-llama-cpp ships. */
export function extractVocab(engineDir: string, name: string, outPath: string): void {
  const bundle = join(engineDir, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
  const bare = join(engineDir, 'llama.cpp.git');
  if (!existsSync(bare)) {
    const clone = spawnSync('git', ['clone', '--quiet', '--bare', bundle, bare], { stdio: 'inherit' });
    if (clone.status !== 0) throw new Error(`git clone of ${bundle} failed`);
  }
  const show = spawnSync('git', ['--git-dir', bare, 'show', `HEAD:models/ggml-vocab-${name}.gguf`], { maxBuffer: 64 * 1024 * 1024 });
  if (show.status !== 0) throw new Error(`No vocab ${name} in the llama.cpp bundle: ${show.stderr}`);
  writeFileSync(outPath, show.stdout);
}

export interface LlamaEngine {
  /** Plug into the Ollama fake: `fake.source = engine.source`. */
  readonly source: TokenSource;
  dispose(): Promise<void>;
}

/**
 * Loads a model on one CPU thread (the steadiest on a small shared machine) with one sequence; requests are
 * served one at a time from a clean KV cache, so every run does the same work.
 */
export async function startLlamaEngine(lib: NodeLlamaCpp, modelPath: string, defaults: { maxTokens: number; threads?: number }): Promise<LlamaEngine> {
  const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 2048, threads: defaults.threads ?? 1 });
  const sequence = context.getSequence();
  let queue: Promise<unknown> = Promise.resolve();

  async function* source(body: OllamaChatBody, signal: AbortSignal): AsyncGenerator<string, TokenSourceResult> {
    const turn = queue.then(() => undefined);
    let release!: () => void;
    queue = new Promise<void>((r) => (release = r));
    await turn;
    try {
      await sequence.clearHistory();
      const session = new lib.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
      const messages = body.messages;
      const last = messages.at(-1);
      session.setChatHistory(messages.slice(0, -1).map((m) => (m.role === 'assistant' ? { type: 'model' as const, response: [m.content] } : { type: m.role === 'system' ? ('system' as const) : ('user' as const), text: m.content })));
      const pieces: string[] = [];
      let wake: (() => void) | undefined;
      let evalCount = 0;
      let finished = false;
      const inputBefore = sequence.tokenMeter.usedInputTokens;
      const maxTokens = body.options?.num_predict ?? defaults.maxTokens;
      const done = session
        .prompt(last?.content ?? '', {
          maxTokens,
          temperature: 0,
          signal,
          stopOnAbortSignal: true,
          onTextChunk: (text) => (pieces.push(text), wake?.()),
          onToken: (tokens) => (evalCount += tokens.length),
        })
        .finally(() => ((finished = true), wake?.()));
      for (;;) {
        while (pieces.length > 0) yield pieces.shift()!;
        if (finished) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await done;
      session.dispose({ disposeSequence: false });
      // node-llama-cpp meters the last prompt token as output (it is evaluated with the first generated one).
      return { promptEvalCount: sequence.tokenMeter.usedInputTokens - inputBefore + 1, evalCount, doneReason: evalCount >= maxTokens ? 'length' : 'stop' };
    } finally {
      release();
    }
  }

  return {
    source,
    dispose: async () => {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
