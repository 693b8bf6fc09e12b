/**
 * Exact token counts for OpenAI's models, from `gpt-tokenizer` (pinned; pure JavaScript, its vocabularies ship in
 * the package, so it works offline). Each vocabulary is megabytes of data that takes a few hundred milliseconds to
 * load, so it is required on first use, not at activation.
 */
import type { countTokens as CountTokens } from 'gpt-tokenizer/encoding/o200k_base';

export type OpenAiEncoding = 'o200k_base' | 'cl100k_base';

interface Encoder {
  countTokens: typeof CountTokens;
}

const encoders = new Map<OpenAiEncoding, Encoder>();

function encoder(name: OpenAiEncoding): Encoder {
  let e = encoders.get(name);
  if (!e) {
    // Literal paths, so the bundler includes both vocabularies; the require runs only when one is first needed.
    e = (name === 'o200k_base' ? require('gpt-tokenizer/encoding/o200k_base') : require('gpt-tokenizer/encoding/cl100k_base')) as Encoder;
    encoders.set(name, e);
  }
  return e;
}

/** `openai/gpt-4o` (a proxy's name) → `gpt-4o`. */
function bare(model: string): string {
  return model.trim().toLowerCase().replace(/^openai\//, '');
}

/** OpenAI's own chat and embedding models; anything else on an OpenAI-compatible server has a tokenizer of its own. */
export function isOpenAiModel(model: string): boolean {
  return /^(gpt-|chatgpt-|o[1-9](-|$)|text-embedding-|davinci|babbage|codex-)/.test(bare(model));
}

/**
 * GPT-4o, 4.1, 4.5, 5 and the o-series use o200k_base; GPT-4 (and its turbo), GPT-3.5 and the older embeddings use
 * cl100k_base. New models default to o200k_base, as the library does for models it does not list.
 */
export function encodingFor(model: string): OpenAiEncoding {
  const m = bare(model);
  if (/^gpt-4(-|$)/.test(m) || /^gpt-3\.5|^gpt-35/.test(m) || /^text-embedding-(ada-002|3-)/.test(m)) return 'cl100k_base';
  return 'o200k_base';
}

// User text is counted as text: a string such as "<|endoftext|>" in a prompt is not a special token to the API,
// and the library would otherwise throw on it.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

export function countOpenAiTokens(text: string, model: string): number {
  if (text.length === 0) return 0;
  const e = encoder(encodingFor(model));
  let n = 0;
  for (const piece of boundedPieces(text)) n += e.countTokens(piece, AS_TEXT);
  return n;
}

/**
 * The library's byte-pair merge takes time with the square of a pre-token's length, and a pre-token can be the whole
 * of a long run without spaces (a hex or base64 blob, 100k tabs: 16 s measured, freezing the host). So text is counted
 * in pieces of at most `MAX_PIECE` characters, cut where the encoding cuts anyway: after a newline, or before a space
 * that starts a word (a pre-token takes at most one leading space), which keeps the count of ordinary text exact
 * (test/unit/openaiTokenizer.test.ts). Only a run with neither is cut blind, off by at most a token per cut.
 */
const MAX_PIECE = 512;

export function* boundedPieces(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > MAX_PIECE) {
    // The last clean cut in the window: after a newline, or before a space, each followed by a non-space.
    const window = text.slice(start, start + MAX_PIECE + 1);
    let cut = 0;
    for (let i = window.length - 1; i > 0 && cut === 0; i--) {
      if (/\S/.test(window[i]) && (window[i - 1] === '\n' || window[i - 1] === ' ')) cut = window[i - 1] === '\n' ? i : i - 1;
    }
    if (cut === 0) cut = MAX_PIECE;
    yield text.slice(start, start + cut);
    start += cut;
  }
  if (start < text.length) yield text.slice(start);
}
