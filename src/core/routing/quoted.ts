/**
 * Quoted material in a request (./features.ts's instructionText leaves it out of the instruction words), found by a
 * scan instead of the two regular expressions it replaces, which they match exactly (test/unit/routerPathological):
 *   /(?<=(?:^|[:：\n])\s{0,8})(?:"[^"]{60,}"|“[^”]{60,}”|«[^»]{60,}»|「[^」]{20,}」|『[^』]{20,}』)/gu   → dropQuoted
 *   /(?<=[:：?？]\s{0,8})(?:'[^\n]{60,}'|‘[^\n]{60,}’|"[^"]{60,}"|“[^”]{60,}”)\s*$/u               → dropTrailingQuoted
 * Why by hand: each opening quote with no closing one made the engine read on to the end of the text, and the next
 * opening quote read it all again: quadratic (10,000 characters of `:“` took 1.4 s, 30,000 of 「 15 s). Here each
 * closing quote is looked for once, and the last one of the text is known before any opening one is tried.
 */

/** Opening quote → its closing quote and the fewest characters (code points) between them. */
const PAIRS: ReadonlyMap<string, readonly [string, number]> = new Map([
  ['"', ['"', 60]],
  ['“', ['”', 60]],
  ['«', ['»', 60]],
  ['「', ['」', 20]],
  ['『', ['』', 20]],
]);
const TRAILING_OPEN: Readonly<Record<string, string>> = { "'": "'", '’': '‘', '"': '"', '”': '“' };
const SPACE = /\s/u;
/** The most whitespace between the colon (or line start) and the quote. */
const GAP = 8;

/** `(?<=(?:^|[marks])\s{0,8})` at `p`: a mark (or, with `start`, the text's start) and at most 8 whitespace before it. */
function afterMark(t: string, p: number, marks: string, start: boolean): boolean {
  for (let pos = p; pos >= p - GAP && pos >= 0; pos--) {
    if (pos < p && !SPACE.test(t[pos])) return false;
    if (pos === 0 ? start : marks.includes(t[pos - 1])) return true;
  }
  return false;
}

/** At least `min` code points in t[a, b): bounded work whatever the distance. */
function atLeast(t: string, a: number, b: number, min: number): boolean {
  if (b - a < min) return false;
  if (b - a >= 2 * min) return true;
  let n = 0;
  for (const _ of t.slice(a, b)) n++;
  return n >= min;
}

/** Long quoted passages after a colon or on a line of their own, each replaced by a space. */
export function dropQuoted(t: string): string {
  const nextClose = new Map<string, number>();
  let out = '';
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const pair = PAIRS.get(t[i]);
    if (!pair || !afterMark(t, i, ':：\n', true)) continue;
    const [close, min] = pair;
    // The first closing quote after i: the one found for an earlier opening quote, when it lies beyond i.
    let j = nextClose.get(close) ?? -2;
    if (j !== -1 && j <= i) nextClose.set(close, (j = t.indexOf(close, i + 1)));
    if (j === -1 || !atLeast(t, i + 1, j, min)) continue;
    out += `${t.slice(from, i)} `;
    from = j + 1;
    i = j;
  }
  return from === 0 ? t : out + t.slice(from);
}

/** A long quoted text that ends the message after the ask's colon or question mark, replaced by a space. */
export function dropTrailingQuoted(t: string): string {
  const end = t.trimEnd(); // trimEnd's whitespace is \s's
  const q = end.length - 1;
  const open = TRAILING_OPEN[end[q]];
  if (q < 0 || open === undefined) return t;
  // Between the quotes: no line break for '…' and ‘…’; no closing quote for "…" and “…”.
  const stop = open === "'" || open === '‘' ? '\n' : end[q];
  const lo = end.lastIndexOf(stop, q - 1);
  for (let p = Math.max(open === stop ? lo : lo + 1, 0); p < q; p++) {
    if (t[p] !== open || !afterMark(t, p, ':：?？', false)) continue;
    // The leftmost opening quote has the longest text: if it is too short, so is every later one.
    return atLeast(t, p + 1, q, 60) ? `${t.slice(0, p)} ` : t;
  }
  return t;
}
