/**
 * Reading fallback chains from settings and spawn options: `[{ "backend": "anthropic", "model": "claude-haiku-4-5" },
 * …]`, or the short form `"anthropic:claude-haiku-4-5"`. A bad link is said (a problem) and left out, never guessed.
 */
import { BACKEND_KINDS, type BackendKind } from '../kinds';
import type { FallbackLink } from '../turn/types';

export interface ParsedChain {
  readonly links: FallbackLink[];
  readonly problems: string[];
}

export function parseChain(value: unknown, where = 'llmFleet.fallback.chain'): ParsedChain {
  const links: FallbackLink[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) return { links, problems };
  if (!Array.isArray(value)) return { links, problems: [`${where} must be a list of { backend, model } entries.`] };
  value.forEach((raw, i) => {
    const item = typeof raw === 'string' ? fromShort(raw) : raw;
    const backend = (item as { backend?: unknown } | null)?.backend;
    const model = (item as { model?: unknown } | null)?.model;
    const window = (item as { contextWindow?: unknown } | null)?.contextWindow;
    if (typeof backend !== 'string' || !(BACKEND_KINDS as readonly string[]).includes(backend)) {
      problems.push(`${where}[${i}]: unknown backend ${JSON.stringify(backend)}; use one of ${BACKEND_KINDS.join(', ')}.`);
      return;
    }
    if (typeof model !== 'string' || model.trim() === '') {
      problems.push(`${where}[${i}]: a model is needed, e.g. { "backend": "${backend}", "model": "…" }.`);
      return;
    }
    if (window !== undefined && !(typeof window === 'number' && Number.isFinite(window) && window > 0)) {
      problems.push(`${where}[${i}]: contextWindow must be a positive number of tokens; it was left out.`);
    }
    const contextWindow = typeof window === 'number' && Number.isFinite(window) && window > 0 ? { contextWindow: window } : {};
    links.push({ backend: backend as BackendKind, model: model.trim(), ...contextWindow });
  });
  return { links, problems };
}

function fromShort(s: string): { backend: string; model: string } | undefined {
  const at = s.indexOf(':');
  return at > 0 ? { backend: s.slice(0, at).trim(), model: s.slice(at + 1).trim() } : undefined;
}
