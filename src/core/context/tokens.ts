/**
 * Token estimates for decisions made before a request (cache breakpoints, budgets, compression). Real counts come
 * back in each response's usage. ~3.5 characters per token is the measured ratio of Claude's older vocabulary on
 * mixed prose and code; erring high means a borderline prefix is marked for caching, which costs nothing if the
 * provider then declines it.
 */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
