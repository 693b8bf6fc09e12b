import type { ModelPrice } from './prices';

/**
 * A price the user sets for a model the table does not know (an OpenAI-compatible server's models), in US dollars
 * per million tokens. `cachedInput` is what cached prompt tokens cost; it defaults to the input price, so a
 * server that reports cache hits is never billed below what the user said.
 */
export interface PriceSetting {
  input: number;
  output: number;
  cachedInput?: number;
}

/** The overrides the Fleet's `pricing.overrides` takes, plus one line per setting that could not be used. */
export interface ParsedPriceOverrides {
  overrides: Record<string, ModelPrice>;
  problems: string[];
}

/** Reads the per-model price setting (`{ "gpt-4o-mini": { "input": 0.15, "output": 0.6 } }`); bad entries are reported, not guessed. */
export function parsePriceOverrides(setting: unknown): ParsedPriceOverrides {
  const overrides: Record<string, ModelPrice> = {};
  const problems: string[] = [];
  if (setting === undefined || setting === null) return { overrides, problems };
  if (typeof setting !== 'object' || Array.isArray(setting)) return { overrides, problems: ['The model prices setting must be an object of model → { input, output }.'] };
  for (const [model, value] of Object.entries(setting)) {
    const v = value as Partial<Record<keyof PriceSetting, unknown>> | null;
    const bad = (['input', 'output', 'cachedInput'] as const).filter((k) => (k !== 'cachedInput' || v?.[k] !== undefined) && !isPrice(v?.[k]));
    if (!v || typeof v !== 'object' || bad.length > 0) {
      problems.push(`The price for '${model}' is not usable: ${bad.join(', ') || 'it is not an object'} must be a number of dollars per million tokens, 0 or more.`);
      continue;
    }
    const input = v.input as number;
    overrides[model] = { input, output: v.output as number, cacheRead: (v.cachedInput as number | undefined) ?? input, cacheWrite5m: input, cacheWrite1h: input };
  }
  return { overrides, problems };
}

function isPrice(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}
