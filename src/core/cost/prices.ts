/**
 * The price table, as data. Prices drift and aliases move, so the table carries a version and the date it was
 * checked, and is matched on the model id the backend *reports*. A model that is not here is unpriced, never $0.
 * Source: Anthropic's pricing page as published in 2026 (see the project's pricing notes).
 */

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface PriceEntry {
  /** Canonical ids, without date suffixes (`claude-haiku-4-5`, not `claude-haiku-4-5-20251001`). */
  readonly ids: readonly string[];
  readonly price: ModelPrice;
  /** Shortest prefix the provider will cache; below it cache_control silently does nothing. */
  readonly minCacheableTokens: number;
}

export interface PriceTable {
  readonly version: string;
  /** When the figures were last checked against the provider's published prices. */
  readonly checked: string;
  readonly entries: readonly PriceEntry[];
}

/** Anthropic's multipliers on the base input price: 5-minute write 1.25x, 1-hour write 2x, read 0.1x. */
function anthropic(input: number, output: number): ModelPrice {
  return { input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead: input * 0.1 };
}

export const ANTHROPIC_PRICES: PriceTable = {
  version: '2026-11.1',
  checked: '2026-11-24',
  entries: [
    { ids: ['claude-opus-5'], price: anthropic(5, 25), minCacheableTokens: 4096 },
    { ids: ['claude-sonnet-5'], price: anthropic(2, 10), minCacheableTokens: 2048 },
    { ids: ['claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8'], price: anthropic(5, 25), minCacheableTokens: 4096 },
    { ids: ['claude-opus-4', 'claude-opus-4-0', 'claude-opus-4-1'], price: anthropic(15, 75), minCacheableTokens: 1024 },
    { ids: ['claude-sonnet-4', 'claude-sonnet-4-0', 'claude-sonnet-4-5'], price: anthropic(3, 15), minCacheableTokens: 1024 },
    { ids: ['claude-sonnet-4-6'], price: anthropic(3, 15), minCacheableTokens: 2048 },
    { ids: ['claude-haiku-4-5'], price: anthropic(1, 5), minCacheableTokens: 4096 },
  ],
};

/** The lowest documented minimum; used where a model is unknown, since marking a too-short prefix costs nothing. */
export const DEFAULT_MIN_CACHEABLE_TOKENS = 1024;

/** `claude-haiku-4-5-20251001` → `claude-haiku-4-5`; `claude-sonnet-5[1m]` → `claude-sonnet-5`. */
export function canonicalModelId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '')
    .replace(/-(\d{8}|latest)$/, '');
}

export function findPrice(table: PriceTable, modelId: string): PriceEntry | undefined {
  const id = canonicalModelId(modelId);
  return table.entries.find((e) => e.ids.includes(id));
}
