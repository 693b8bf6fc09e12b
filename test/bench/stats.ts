/** Small helpers shared by the benchmarks. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs `a` and `b` alternately `rounds` times after one warm-up each, so drift on a shared machine hits both. */
export async function alternate<T>(rounds: number, a: () => Promise<T>, b: () => Promise<T>): Promise<{ a: T[]; b: T[] }> {
  await a();
  await b();
  const out = { a: [] as T[], b: [] as T[] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/**
 * Runs every function once per round after one warm-up each, rotating which goes first, so drift on a shared
 * machine hits all of them alike. Returns each one's results, by index.
 */
export async function rotate<T>(rounds: number, fns: ReadonlyArray<() => Promise<T>>): Promise<T[][]> {
  for (const f of fns) await f();
  const out = fns.map(() => [] as T[]);
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (i + j) % fns.length;
      out[k].push(await fns[k]());
    }
  }
  return out;
}

/** The smallest and largest value, for the spread of a set of runs. */
export function spread(xs: readonly number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}
