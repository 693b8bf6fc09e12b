import type { BackendKind } from '../kinds';
import type { Usage } from './usage';
import { ANTHROPIC_PRICES, quotePrice, type ModelPrice, type PriceTable } from './prices';

/**
 * What a request cost, and on what basis. `usd` is absent when the model is unpriced: an unknown price is shown
 * as unknown, never as $0. `reportedUsd` is the backend's own figure (Claude Code computes one), kept beside ours;
 * for a model our table does not know yet, that figure is the cost (basis `reported`), labelled as such.
 */
export interface Cost {
  usd?: number;
  basis: 'table' | 'override' | 'local' | 'reported' | 'unpriced';
  priceVersion?: string;
  /** Where the price came from and the day it was checked, so the figure can be traced. */
  priceSource?: string;
  reportedUsd?: number;
}

export interface PricingContext {
  table: PriceTable;
  /** Per-model prices from settings; they win over the table. */
  overrides?: Readonly<Record<string, ModelPrice>>;
  /** Models that run on the user's own hardware (Ollama) cost nothing per token. */
  local?: boolean;
}

const PER_MILLION = 1_000_000;

export function costOf(price: ModelPrice, u: Usage): number {
  return (
    (u.input * price.input +
      u.output * price.output +
      u.cacheWrite5m * price.cacheWrite5m +
      u.cacheWrite1h * price.cacheWrite1h +
      u.cacheRead * price.cacheRead) /
    PER_MILLION
  );
}

export function priceRequest(usage: Usage, model: string, ctx: PricingContext): Cost {
  const reportedUsd = usage.reportedCostUsd;
  if (ctx.local) return { usd: 0, basis: 'local', reportedUsd };
  const override = ctx.overrides?.[model] ?? (usage.model ? ctx.overrides?.[usage.model] : undefined);
  if (override) return { usd: costOf(override, usage), basis: 'override', reportedUsd };
  const quote = quotePrice(ctx.table, usage.model ?? model);
  if (!quote) return reportedUsd !== undefined ? { usd: reportedUsd, basis: 'reported', reportedUsd } : { basis: 'unpriced' };
  return { usd: costOf(quote.price, usage), basis: 'table', priceVersion: quote.version, priceSource: `${quote.source}, checked ${quote.checked}`, reportedUsd };
}

/** Prices usage as a Fleet with no settings would: the built-in table, Ollama as local. For stages used without one. */
export function defaultPrice(backend: BackendKind, usage: Usage, model: string): Cost {
  return priceRequest(usage, model, { table: ANTHROPIC_PRICES, local: backend === 'ollama' });
}

/** Sums costs; the total is unpriced-aware: it says how many requests it could not price. */
export interface CostTotal {
  usd: number;
  unpricedRequests: number;
}

export function addCost(total: CostTotal, cost: Cost | undefined): CostTotal {
  if (!cost) return total;
  if (cost.usd === undefined) return { usd: total.usd, unpricedRequests: total.unpricedRequests + 1 };
  return { usd: total.usd + cost.usd, unpricedRequests: total.unpricedRequests };
}

/** "$0.0123", "$1.20", or "unpriced". Small amounts keep enough digits to be honest. */
export function formatUsd(usd: number | undefined): string {
  if (usd === undefined) return 'unpriced';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}
