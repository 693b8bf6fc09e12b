/**
 * How many tokens a model takes in, for deciding when to compress. Anthropic's and OpenAI's models come from the
 * pinned `@pydantic/genai-prices` data (its `context_window`), the same source as their prices; a few families it
 * may not list yet come from a small dated table; anything else gets a deliberately small default, since
 * compressing a little early costs a summary, while overflowing costs the whole answer. Ollama's window is the
 * `num_ctx` actually requested (the instance's option, the setting, else the model's own length).
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { BackendKind } from '../kinds';

/** When the table below was last checked against the providers' model pages. */
export const CONTEXT_WINDOWS_CHECKED = '2026-12-01';

/** Families the library may not list, by id prefix (longest first wins). */
const TABLE: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  ['claude-', 200_000],
  ['gpt-4o', 128_000],
  ['gpt-4.1', 1_000_000],
  ['gpt-5', 400_000],
  ['o3', 200_000],
  ['o4', 200_000],
];
const BY_LONGEST_PREFIX = [...TABLE].sort((a, b) => b[0].length - a[0].length);

/** For a model nothing is known about: the smallest window in common use by local servers today. */
export const DEFAULT_CONTEXT_WINDOW = 8_192;
/** Ollama's own default `num_ctx` when nothing is set and the model's length is unknown. */
export const OLLAMA_DEFAULT_NUM_CTX = 4_096;

const cache = new Map<string, number | undefined>();

/** The window from the library's data, for a hosted Anthropic or OpenAI model; undefined when it does not list one. */
export function libraryWindow(model: string): number | undefined {
  const id = model.trim().toLowerCase().replace(/\[[^\]]*\]$/, '');
  if (cache.has(id)) return cache.get(id);
  let found: number | undefined;
  for (const providerId of ['anthropic', 'openai']) {
    try {
      const w = calcPrice({}, id, { providerId })?.model.context_window;
      if (typeof w === 'number' && w > 0) {
        found = w;
        break;
      }
    } catch {
      // malformed data for one provider: try the next
    }
  }
  cache.set(id, found);
  return found;
}

/** Trained context lengths of open-weights families, by name prefix (Ollama tags and Hugging Face ids alike). */
const LOCAL_FAMILIES: ReadonlyArray<readonly [RegExp, number]> = [
  [/^qwen2\.5-coder|^qwen2\.5|^qwen3/i, 32_768],
  [/^llama3\.[123]|^llama-3\.[123]/i, 131_072],
  [/^llama3|^llama-3/i, 8_192],
  [/^mistral-nemo/i, 131_072],
  [/^mistral/i, 32_768],
  [/^gemma3/i, 131_072],
  [/^gemma2/i, 8_192],
  [/^phi4/i, 16_384],
  [/^phi3/i, 131_072],
  [/^deepseek-r1/i, 131_072],
  [/^gpt-oss/i, 131_072],
];

/**
 * The window of `model` on `backend` when something is known of it, else undefined (never a guess): for the
 * fallback's "a larger window" after an overflow. Local models give their family's trained length.
 */
export function knownContextWindow(backend: BackendKind, model: string): number | undefined {
  const id = model.trim().toLowerCase().replace(/^.*\//, '');
  if (backend === 'claudeCode' && !id.startsWith('claude-')) return 200_000; // the aliases: haiku, sonnet, opus
  if (backend !== 'ollama') {
    const known = libraryWindow(id) ?? BY_LONGEST_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1];
    if (known || backend !== 'openai') return known;
  }
  return LOCAL_FAMILIES.find(([re]) => re.test(id))?.[1];
}

export interface WindowOptions {
  /** Ollama: the `num_ctx` the backend will request (instance option or setting), when known. */
  readonly numCtx?: number;
  /** Ollama: the model's own trained length (from /api/show), when known. */
  readonly modelLength?: number;
}

/** The context window of `model` on `backend`, in tokens; never zero. Ollama's is the `num_ctx` it will be asked for. */
export function contextWindow(backend: BackendKind, model: string, options: WindowOptions = {}): number {
  if (backend === 'ollama') return options.numCtx ?? options.modelLength ?? OLLAMA_DEFAULT_NUM_CTX;
  return knownContextWindow(backend, model) ?? DEFAULT_CONTEXT_WINDOW;
}
