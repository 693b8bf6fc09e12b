import type { Backend } from '../core/backends/backend';
import type { BackendKind } from '../core/kinds';
import { errorMessage } from '../core/errors';
import { ANTHROPIC_PRICES } from '../core/cost/prices';

export interface ModelChoice {
  readonly id: string;
  readonly detail?: string;
}

/** Aliases the Claude Code CLI resolves itself; it reports the full id once it runs. */
const CLAUDE_CODE_ALIASES: readonly ModelChoice[] = [
  { id: 'haiku', detail: 'fastest, cheapest' },
  { id: 'sonnet', detail: 'balanced' },
  { id: 'opus', detail: 'most capable' },
];

/** Backends that can list their models; each names the method its SDK wrapper offers. */
interface Lister {
  listModels(signal?: AbortSignal): Promise<ReadonlyArray<string | { name?: string; id?: string; model?: string }>>;
}

function canList(b: Backend): b is Backend & Lister {
  return typeof (b as Partial<Lister>).listModels === 'function';
}

/**
 * The models a backend really has, for the spawn and fork pickers. When a server can't be asked, the known ids are
 * offered with the reason, and the user can still type any model.
 */
export async function listModels(backend: Backend, signal?: AbortSignal): Promise<{ models: ModelChoice[]; problem?: string }> {
  const fallback = fallbackModels(backend.kind);
  if (backend.kind === 'claudeCode' || !canList(backend)) return { models: fallback };
  try {
    const listed = (await backend.listModels(signal)).map((m) => (typeof m === 'string' ? m : m.name ?? m.id ?? m.model ?? '')).filter(Boolean);
    if (listed.length === 0) return { models: fallback, problem: `The ${backend.label} reports no models.` };
    return { models: listed.map((id) => ({ id })) };
  } catch (e) {
    return { models: fallback, problem: errorMessage(e) };
  }
}

function fallbackModels(kind: BackendKind): ModelChoice[] {
  if (kind === 'claudeCode') return [...CLAUDE_CODE_ALIASES];
  if (kind === 'anthropic') return ANTHROPIC_PRICES.entries.map((e) => ({ id: e.ids[e.ids.length - 1], detail: 'from the price table' }));
  return [];
}
