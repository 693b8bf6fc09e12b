// The router reads every prompt on the extension host's one thread: inputs that once took seconds to minutes
// (backtracking patterns) get a sane decision, sizes still come from the whole text, and the linear rewrites match
// what the patterns they replace matched. How long each shape takes is test/bench/router.bench.ts's to print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens } from '../../src/core/context/tokens';
import { EASY_SIGNALS } from '../../src/core/routing/easySigns';
import { extractFeatures, hasCode, READ_HEAD_CHARS, READ_TAIL_CHARS, readWindow } from '../../src/core/routing/features';
import { dropQuoted, dropTrailingQuoted } from '../../src/core/routing/quoted';
import { crashLog, mixedCjk, minifiedBundle, PATHOLOGICAL, randomText, seeded } from '../fixtures/pathologicalPrompts';

const features = (text: string) => extractFeatures([{ id: 'u', role: 'user', text, at: 0 }]);
const FAULT = 'a fault to find in the given code';

// The patterns as they were, to compare the rewrites with (on short strings, where they are quick).
const OLD_QUOTED = /(?<=(?:^|[:：\n])\s{0,8})(?:"[^"]{60,}"|“[^”]{60,}”|«[^»]{60,}»|「[^」]{20,}」|『[^』]{20,}』)/gu;
const OLD_TRAILING = /(?<=[:：?？]\s{0,8})(?:'[^\n]{60,}'|‘[^\n]{60,}’|"[^"]{60,}"|“[^”]{60,}”)\s*$/u;
const OLD_CODE_LINE =
  /^\s*(?:(?:export\s+)?(?:async\s+)?(?:function|class|interface|def|fn|func|impl|struct|enum|import|from\s+\S+\s+import|package|public|private|const|let|var|return|if\s*\(|for\s*\(|while\s*\(|#include|SELECT|INSERT|UPDATE|CREATE TABLE)\b.*|.*[;{}]\s*$|.*=>.*|\s*<\/?[a-z][\w-]*(?:\s[^>]*)?>\s*$|\s*at\s+\S+\s+\(.*:\d+:\d+\)\s*$|\s*File ".*", line \d+.*)$/m;
const oldHasCode = (t: string) => /```|~~~/.test(t) || t.split('\n').filter((l) => OLD_CODE_LINE.test(l)).length >= 2;

/** Short strings built of runs: a long quoted body or indent is likely, not only single characters. */
function runs(seed: number, count: number, alphabet: readonly string[]): string[] {
  const r = seeded(seed);
  return Array.from({ length: count }, () => {
    let s = '';
    const len = Math.floor(r() * 160);
    while (s.length < len) {
      const c = alphabet[Math.floor(r() * alphabet.length)];
      s += r() < 0.25 ? c.repeat(1 + Math.floor(r() * 70)) : c;
    }
    return s.slice(0, 200);
  });
}

describe('router on pathological input', () => {
  it('decides on every shape, with sizes from the whole text and no easy sign read into junk', () => {
    for (const [name, make] of PATHOLOGICAL) {
      const text = make();
      const f = features(text);
      assert.equal(f.promptTokens, estimateTokens(text), name);
      assert.ok(f.promptTokens > estimateTokens(readWindow(text)), `${name}: tokens count the whole text, not the window read`);
      assert.equal(f.simple, false, `${name}: ${f.easy.join(', ')}`);
    }
  });

  it('reads the fault in a 2 MB log that ends in a stack trace and "why does this crash?"', () => {
    const f = features(crashLog());
    assert.equal(f.code, true);
    assert.equal(f.kind, 'coding');
    assert.equal(f.signals[0], FAULT);
    assert.ok(f.promptTokens > 500_000);
  });

  it('reads the ask after a huge indent, in a minified bundle and in mixed Chinese and Japanese', () => {
    assert.ok(features(`${'\t'.repeat(100_000)}why`).signals.includes('an explanation asked for'));
    // One line of code is no "code" to hasCode (it takes two lines), but the request reads as coding and is no small one.
    const bundle = features(minifiedBundle());
    assert.deepEqual([bundle.kind, bundle.complex, bundle.simple], ['coding', true, false]);
    assert.ok(features(mixedCjk()).signals.includes('an explanation asked for'));
    // The ask at the start of a long paste still counts: "why" among the first words, 60,000 of plain text after.
    assert.ok(features(`Why does the parser reject this?\n${'lorem ipsum dolor '.repeat(4_000)}`).signals.includes('an explanation asked for'));
  });

  it('reads a window of the first and last characters of a long text, whole code points, and all of a short one', () => {
    const short = 'x'.repeat(READ_HEAD_CHARS + READ_TAIL_CHARS);
    assert.equal(readWindow(short), short);
    const long = `HEAD${'m'.repeat(50_000)}TAIL`;
    const w = readWindow(long);
    assert.ok(w.startsWith('HEAD') && w.endsWith('TAIL') && w.length <= READ_HEAD_CHARS + READ_TAIL_CHARS + 1);
    const emoji = readWindow('😀'.repeat(20_000));
    assert.doesNotMatch(emoji, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'no half of a surrogate pair');
  });

  it('drops quoted material exactly as the two patterns it replaces did', () => {
    const alphabet = [' ', ' ', '\n', '\t', ':', '：', '?', '？', '"', '“', '”', '«', '»', '「', '」', '『', '』', "'", '‘', '’', 'a', 'b', '😀'];
    let dropped = 0;
    for (const s of runs(11, 20_000, alphabet)) {
      assert.equal(dropQuoted(s), s.replace(OLD_QUOTED, ' '), JSON.stringify(s));
      assert.equal(dropTrailingQuoted(s), s.replace(OLD_TRAILING, ' '), JSON.stringify(s));
      if (dropQuoted(s) !== s) dropped++;
    }
    // Asks that end in their material, the case the trailing pattern is for, in every quote style.
    const r = seeded(5);
    for (let i = 0; i < 4_000; i++) {
      const [open, close] = [["'", "'"], ['‘', '’'], ['"', '"'], ['“', '”']][i % 4];
      const body = randomText(i, Math.floor(r() * 90), ['a', ' ', "'", '"', '’', '”', '\n', '😀']);
      const s = `${randomText(i + 1, Math.floor(r() * 12), ['a', ':', '?', ' ', '\n'])}${[':', '?', '：', 'x'][i % 4]}${' '.repeat(i % 10)}${open}${body}${close}${' \n'.repeat(i % 3)}`;
      assert.equal(dropTrailingQuoted(s), s.replace(OLD_TRAILING, ' '), JSON.stringify(s));
      if (dropTrailingQuoted(s) !== s) dropped++;
    }
    assert.ok(dropped > 500, `the comparison covers real drops (${dropped})`);
  });

  it('finds code lines and reads clock times exactly as the patterns they replace did', () => {
    const lines = ['  ', '\t', ' ', 'const x = 1;', 'if (a) {', '}', '  at f (a.js:1:2)', '<div>', 'File "a.py", line 3', 'a => b', 'plain words', '\n', '\r'];
    for (const s of runs(3, 5_000, lines)) assert.equal(hasCode(s), oldHasCode(s), JSON.stringify(s));
    const clock = EASY_SIGNALS.find((e) => e.why === 'a clock time or time zone to work out');
    assert.ok(clock && clock.re.source.startsWith('^'));
    const unanchored = new RegExp(clock.re.source.slice(1), clock.re.flags);
    const words = ['3:40pm', ' ', '\n', '12', 'h', 'what time', 'when does', 'in utc', 'a', '時', '点', '几点', 'x'];
    for (const s of runs(4, 2_000, words)) assert.equal(clock.re.test(s), unanchored.test(s), JSON.stringify(s));
  });
});
