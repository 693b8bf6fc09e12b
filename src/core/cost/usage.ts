/**
 * Token usage in one shape for every backend. `input` never includes cached tokens: backends whose providers
 * count cached tokens inside the prompt total (OpenAI) subtract them at the edge, so nothing is billed twice.
 */
export interface Usage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** The model id the provider reported (not the alias that was asked for). */
  model?: string;
  /** Cost the backend itself reported (Claude Code's `total_cost_usd`), kept beside our own figure. */
  reportedCostUsd?: number;
}

export function emptyUsage(): Usage {
  return { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
}

/** All prompt-side tokens, cached or not. */
export function promptTokens(u: Pick<Usage, 'input' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number {
  return u.input + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}
