/**
 * The list editing behind "Set Fallback Chain…": which chain an instance follows now, the edits (add, remove, move,
 * use the global chain, clear), the checks, and the short form the tree shows ("sonnet → haiku → qwen2.5"). Pure,
 * no `vscode` import, so it is tested in plain Node; the command (commands/fallbackCommands.ts) is only the dialog.
 */
import { BACKEND_LABELS } from '../core/kinds';
import { parseChain } from '../core/routing/chainConfig';
import type { FallbackLink, TurnTarget } from '../core/turn/types';

/**
 * The chain an instance follows: its own; none (an own empty chain: no fallback, whatever the setting says); or the
 * global setting's, which may be empty now and still applies when it is set later.
 */
export interface CurrentChain {
  readonly source: 'own' | 'global' | 'none';
  readonly links: readonly FallbackLink[];
}

export function currentChain(own: readonly FallbackLink[] | undefined, global: readonly FallbackLink[]): CurrentChain {
  if (own?.length) return { source: 'own', links: own };
  if (own) return { source: 'none', links: [] };
  return { source: 'global', links: global };
}

/** "claude-sonnet-4-5" → "sonnet", "qwen2.5:7b" → "qwen2.5", "gpt-4o-mini" stays: the name a user calls a model by. */
export function briefModel(model: string): string {
  const claude = /^claude-(?:[\d.]+-)*(opus|sonnet|haiku)\b/.exec(model);
  if (claude) return claude[1];
  const tag = model.indexOf(':');
  return tag > 0 ? model.slice(0, tag) : model;
}

/** "sonnet → haiku → qwen2.5". */
export function briefChain(links: readonly TurnTarget[]): string {
  return links.map((l) => briefModel(l.model)).join(' → ');
}

/** "own: sonnet → haiku", "global: haiku → qwen2.5", "none", as the dialog's title says it. */
export function describeCurrent(c: CurrentChain): string {
  if (c.source === 'none') return 'none (no fallback)';
  if (c.source === 'global') return c.links.length ? `global: ${briefChain(c.links)}` : 'global (none set)';
  return `own: ${briefChain(c.links)}`;
}

export const linkLabel = (l: TurnTarget): string => `${BACKEND_LABELS[l.backend]} · ${l.model}`;

/**
 * A chain being edited. Each edit returns a new draft (the dialog keeps the one it shows); `useGlobal` marks that
 * saving removes the instance's own chain, so the global setting applies again, also when the setting changes later.
 */
export class ChainDraft {
  private constructor(
    readonly links: readonly FallbackLink[],
    /** Saving gives the instance no chain of its own: it follows the global setting, whatever that is then. */
    readonly followsGlobal: boolean,
  ) {}

  /** The draft starts from the chain the instance follows; a global chain is copied, so it can be edited into an own one. */
  static from(c: CurrentChain): ChainDraft {
    return new ChainDraft([...c.links], c.source === 'global');
  }

  add(link: FallbackLink, at = this.links.length): ChainDraft {
    const links = [...this.links];
    links.splice(Math.max(0, Math.min(at, links.length)), 0, link);
    return new ChainDraft(links, false);
  }

  remove(index: number): ChainDraft {
    this.check(index);
    return new ChainDraft(this.links.filter((_, i) => i !== index), false);
  }

  /** Moves a link one place up (-1) or down (+1); at either end it stays where it is. */
  move(index: number, by: -1 | 1): ChainDraft {
    this.check(index);
    const to = index + by;
    if (to < 0 || to >= this.links.length) return this;
    const links = [...this.links];
    [links[index], links[to]] = [links[to], links[index]];
    return new ChainDraft(links, false);
  }

  /** Back to the global chain: the draft shows it, and saving removes the instance's own. */
  useGlobal(global: readonly FallbackLink[]): ChainDraft {
    return new ChainDraft([...global], true);
  }

  /** No fallback at all: an empty own chain, kept as such ("none"), whatever the global setting says. */
  clear(): ChainDraft {
    return new ChainDraft([], false);
  }

  /** What the Fleet is given on save: links, [] for none, or 'global' to remove the instance's own chain. */
  toSave(): FallbackLink[] | 'global' {
    return this.followsGlobal ? 'global' : this.links.map((l) => ({ ...l }));
  }

  /**
   * What is wrong (the parser's words, which also guard the Fleet) and what is only odd: a link twice is tried
   * once, and the instance's own target first in its chain is skipped (the turn already tried it).
   */
  problems(target?: TurnTarget): { errors: string[]; warnings: string[] } {
    const errors = parseChain(this.links, 'Link').problems.map((p) => p.replace(/^Link\[(\d+)\]/, (_, i: string) => `Link ${Number(i) + 1}`));
    const warnings: string[] = [];
    const seen = new Set<string>();
    this.links.forEach((l, i) => {
      const key = `${l.backend}\u0000${l.model}`;
      if (seen.has(key)) warnings.push(`Link ${i + 1} (${linkLabel(l)}) is already in the chain; it is tried once.`);
      seen.add(key);
      if (target && l.backend === target.backend && l.model === target.model) warnings.push(`Link ${i + 1} is the instance's own model; the turn tries it first anyway, so this link is skipped.`);
    });
    return { errors, warnings };
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.links.length) throw new RangeError(`No link ${index + 1} in a chain of ${this.links.length}.`);
  }
}
