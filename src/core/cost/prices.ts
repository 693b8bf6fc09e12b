/**
 * The price table, as data. Prices drift and aliases move, so the table carries a version and the date it was
 * checked, and is matched on the model id the backend *reports*. A model that is not here is unpriced, never $0.
 * Our entries come first; under them lies a packaged price list (./priceLibrary.ts) for the models we do not list
 * (OpenAI's, newer Claude ones); the user's settings win over both (./cost.ts). Every entry says where its
 * figures come from and when they were checked, so any cost can be traced to its source.
 */
import { LIBRARY_PRICES } from './priceLibrary';

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
  /** Shortest prefix the provider will cache; below it cache_control silently does nothing. Unknown: the default. */
  readonly minCacheableTokens?: number;
  /** Where the figures come from, and the day they were checked; the table's own when absent. */
  readonly source?: string;
  readonly checked?: string;
  /** Rates the source gives no figure for; they are billed at the input rate and shown as not given. */
  readonly missing?: readonly (keyof ModelPrice)[];
  /** What a reader of the figures should know (long-context rates not applied, rates derived by a rule). */
  readonly note?: string;
}

/** A price list looked up by canonical id, with its own version, date and source (the packaged one). */
export interface PriceLookup {
  readonly version: string;
  readonly checked: string;
  readonly source: string;
  find(canonicalId: string): PriceEntry | undefined;
  list(): PriceEntry[];
}

export interface PriceTable {
  readonly version: string;
  /** When the figures were last checked against the provider's published prices. */
  readonly checked: string;
  readonly source: string;
  readonly entries: readonly PriceEntry[];
  /** Consulted when no entry matches. */
  readonly base?: PriceLookup;
}

/** A price in force for a model, with what it is traced to. */
export interface PriceQuote {
  readonly entry: PriceEntry;
  readonly price: ModelPrice;
  readonly version: string;
  readonly source: string;
  readonly checked: string;
}

/** Anthropic's multipliers on the base input price: 5-minute write 1.25x, 1-hour write 2x, read 0.1x. */
function anthropic(input: number, output: number): ModelPrice {
  return { input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead: input * 0.1 };
}

const NOTES = "Anthropic's pricing page as published in 2026 (the project's pricing notes)";
const NEWER_DOCS = "Anthropic's newer docs (input and output, the project's pricing notes); cache rates by Anthropic's published multipliers";

/**
 * Our table: Anthropic's models, from the pricing page. Not here, for want of a published figure (the notes give
 * none, nor does the packaged list): `claude-haiku-5-5` and `claude-sonnet-5-5`, the Claude Code CLI's current
 * aliases. The CLI reports its own cost for them, which is then used, labelled as reported. `claude-opus-5-5` is
 * in the packaged list.
 */
export const PRICE_TABLE: PriceTable = {
  version: '2026-11.1',
  checked: '2026-11-24',
  source: NOTES,
  base: LIBRARY_PRICES,
  entries: [
    { ids: ['claude-opus-5'], price: anthropic(5, 25), minCacheableTokens: 4096, source: NEWER_DOCS },
    { ids: ['claude-sonnet-5'], price: anthropic(2, 10), minCacheableTokens: 2048, source: NEWER_DOCS },
    { ids: ['claude-opus-4-5', 'claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8'], price: anthropic(5, 25), minCacheableTokens: 4096 },
    { ids: ['claude-opus-4', 'claude-opus-4-0', 'claude-opus-4-1'], price: anthropic(15, 75), minCacheableTokens: 1024 },
    { ids: ['claude-sonnet-4', 'claude-sonnet-4-0', 'claude-sonnet-4-5'], price: anthropic(3, 15), minCacheableTokens: 1024 },
    { ids: ['claude-sonnet-4-6'], price: anthropic(3, 15), minCacheableTokens: 2048 },
    { ids: ['claude-haiku-4-5'], price: anthropic(1, 5), minCacheableTokens: 4096 },
  ],
};

/** The table the Fleet prices with by default (it once held Anthropic's models only; the name stays for its users). */
export const ANTHROPIC_PRICES: PriceTable = PRICE_TABLE;

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

/** Our entry for a model, else the base list's; undefined when neither prices it (it is then unpriced). */
export function findPrice(table: PriceTable, modelId: string): PriceEntry | undefined {
  return quotePrice(table, modelId)?.entry;
}

export function quotePrice(table: PriceTable, modelId: string): PriceQuote | undefined {
  const id = canonicalModelId(modelId);
  const own = table.entries.find((e) => e.ids.includes(id));
  if (own) return { entry: own, price: own.price, version: table.version, source: own.source ?? table.source, checked: own.checked ?? table.checked };
  const base = table.base?.find(id);
  if (base) return { entry: base, price: base.price, version: table.base!.version, source: base.source ?? table.base!.source, checked: base.checked ?? table.base!.checked };
  return undefined;
}
