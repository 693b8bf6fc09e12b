/**
 * The base price list under our table: `@pydantic/genai-prices` (pinned), whose bundled data covers Anthropic
 * (input, output, cache writes 5m and 1h, cache reads) and OpenAI (input, cached input, output). Only its bundled
 * data is used (its `updatePrices` would fetch from GitHub; we never call it), so lookups work offline and a figure
 * never changes under a pinned version. Only Anthropic's and OpenAI's own models are taken from it: the models that
 * reach us through Ollama or a local OpenAI-compatible server are the user's own hardware, or the user's to price.
 */
import { calcPrice, findProvider, type ModelInfo, type ModelPrice as LibraryPrice, type Provider } from '@pydantic/genai-prices';
import type { ModelPrice, PriceEntry, PriceLookup } from './prices';

/** The pinned version (package.json pins it exactly; a unit test checks the two agree). */
export const GENAI_PRICES_VERSION = '0.1.8';
/** The data carries no date of its own; this is the day 0.1.8 was published to npm, so its figures are at most that new. */
export const GENAI_PRICES_DATE = '2026-09-23';

const PROVIDERS = ['anthropic', 'openai'] as const;
/** Open-weights models (OpenAI's gpt-oss) run on the user's own server as often as at a host: never priced from here. */
const OPEN_WEIGHTS = /^gpt-oss/;

const found = new Map<string, PriceEntry | undefined>();

/** Looks up a canonical id (see `canonicalModelId`), remembering the answer: the data does not change while we run. */
function find(id: string): PriceEntry | undefined {
  if (found.has(id)) return found.get(id);
  const entry = OPEN_WEIGHTS.test(id) ? undefined : lookup(id);
  found.set(id, entry);
  return entry;
}

function lookup(id: string): PriceEntry | undefined {
  for (const providerId of PROVIDERS) {
    const r = quote(id, providerId);
    if (r && sameModel(id, r.model.id)) return toEntry(r.model, r.model_price, r.provider);
  }
  return undefined;
}

/** The library's own matching and its dated prices (the one in force today); it throws on malformed data. */
function quote(id: string, providerId: string): ReturnType<typeof calcPrice> {
  try {
    return calcPrice({}, id, { providerId });
  } catch {
    return null;
  }
}

/**
 * The library matches by prefix, so `claude-sonnet-5-5` comes back as `claude-sonnet-5`: a newer model priced as an
 * older one. A match whose id is a prefix of ours followed by another version number (`-5`, `.1`) is refused;
 * dates (`-2024-08-06`, `-0613`) and variants the library lists itself are kept.
 */
export function sameModel(id: string, matched: string): boolean {
  if (!id.startsWith(matched)) return true;
  return !/^[-.]\d{1,2}(?!\d)/.test(id.slice(matched.length));
}

function toEntry(model: ModelInfo, p: LibraryPrice, provider: Provider): PriceEntry | undefined {
  const input = rate(p.input_mtok);
  const output = rate(p.output_mtok);
  if (input === undefined || output === undefined) return undefined; // not a text model (images, audio, embeddings)
  const given: Partial<ModelPrice> = {
    cacheRead: rate(p.cache_read_mtok),
    cacheWrite5m: rate(p.cache_write_5m_mtok) ?? rate(p.cache_write_mtok),
    cacheWrite1h: rate(p.cache_write_1h_mtok),
  };
  // A rate the source does not give is billed at the plain input rate: the provider then gives no discount for it
  // (OpenAI charges nothing extra to write its cache), and a figure is never guessed below what the source says.
  const missing = (['cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const).filter((k) => given[k] === undefined);
  const price: ModelPrice = { input, output, cacheWrite5m: given.cacheWrite5m ?? input, cacheWrite1h: given.cacheWrite1h ?? input, cacheRead: given.cacheRead ?? input };
  const tier = firstTier(p);
  return {
    ids: [model.id],
    price,
    source: `@pydantic/genai-prices ${GENAI_PRICES_VERSION}: ${provider.name}${provider.pricing_urls?.[0] ? ` (${provider.pricing_urls[0]})` : ''}`,
    checked: GENAI_PRICES_DATE,
    ...(missing.length > 0 ? { missing } : {}),
    ...(tier ? { note: `the base rates; a prompt over ${tier.toLocaleString('en-US')} tokens is billed at higher rates, not applied here` } : {}),
  };
}

/** $/Mtok of a rate: a number, or the base of a tiered (long-context) rate. */
function rate(v: LibraryPrice[string]): number | undefined {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && typeof v.base === 'number') return v.base;
  return undefined;
}

function firstTier(p: LibraryPrice): number | undefined {
  const starts = Object.values(p).flatMap((v) => (v && typeof v === 'object' ? v.tiers.map((t) => t.start) : []));
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

/** Every Anthropic and OpenAI text model the library prices today, for the price list. */
function list(): PriceEntry[] {
  return PROVIDERS.flatMap((providerId) =>
    (findProvider({ providerId })?.models ?? [])
      .filter((m) => !m.deprecated && !OPEN_WEIGHTS.test(m.id))
      .flatMap((m) => {
        const r = quote(m.id, providerId);
        const entry = r && r.model.id === m.id ? toEntry(r.model, r.model_price, r.provider) : undefined;
        return entry ? [entry] : [];
      }),
  );
}

export const LIBRARY_PRICES: PriceLookup = {
  version: `genai-prices ${GENAI_PRICES_VERSION}`,
  checked: GENAI_PRICES_DATE,
  source: `@pydantic/genai-prices ${GENAI_PRICES_VERSION} (bundled data)`,
  find,
  list,
};
