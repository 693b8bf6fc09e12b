// OpenAI counts in bounded pieces (src/core/context/openaiTokenizer.ts): the library's merge is quadratic in a
// pre-token's length, so long texts are cut where the encoding cuts anyway. These check that the count of ordinary
// text (prompts, source, Markdown) is exactly the library's whole-text count, and that a run with no clean cut is
// still cut into pieces no longer than the bound, with the count off by at most one token per cut.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { boundedPieces, countOpenAiTokens } from '../../src/core/context/openaiTokenizer';
import { ROUTER_PROMPTS } from '../fixtures/routerPrompts';
import { BLIND_PROMPTS } from '../fixtures/routerPromptsBlind';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const ordinary: Array<[string, string]> = [
  ['the labelled prompts', ROUTER_PROMPTS.map((p) => p.prompt).join('\n\n')],
  ['the dev prompts (five languages)', BLIND_PROMPTS.map((p) => p.text).join('\n')],
  ['TypeScript source', readFileSync('src/core/fleet.ts', 'utf8') + readFileSync('src/core/routing/features.ts', 'utf8')],
  ['Markdown', readFileSync('README.md', 'utf8')],
  ['a paragraph with no newline', 'The quick brown fox, (it was said) jumps over the lazy dog; then it rests.  Twice spaced. '.repeat(300)],
];

describe('OpenAI token counts in bounded pieces', () => {
  for (const [what, text] of ordinary) {
    it(`are exact on ${what} (${text.length.toLocaleString('en-US')} characters)`, () => {
      assert.ok(text.length > 5_000);
      assert.equal([...boundedPieces(text)].join(''), text, 'the pieces are the text');
      assert.equal(countOpenAiTokens(text, 'gpt-4o'), o200k(text, AS_TEXT));
      assert.equal(countOpenAiTokens(text, 'gpt-4'), cl100k(text, AS_TEXT));
    });
  }

  it('cut a run with no clean cut into bounded pieces, off by at most a token per cut', () => {
    for (const text of ['\t'.repeat(20_000) + 'why', 'deadbeef'.repeat(2_000), '「'.repeat(8_000), 'a'.repeat(10_000)]) {
      const pieces = [...boundedPieces(text)];
      assert.equal(pieces.join(''), text);
      assert.ok(pieces.every((p) => p.length <= 512), `a piece of ${Math.max(...pieces.map((p) => p.length))}`);
      const exact = o200k(text, AS_TEXT);
      assert.ok(Math.abs(countOpenAiTokens(text, 'gpt-4o') - exact) <= pieces.length, `${countOpenAiTokens(text, 'gpt-4o')} against ${exact}`);
    }
  });

  it('leaves short text whole', () => {
    assert.deepEqual([...boundedPieces('hello world')], ['hello world']);
    assert.equal(countOpenAiTokens('', 'gpt-4o'), 0);
  });
});
