/**
 * Rendering a streamed answer in the chat webview, in headless chromium: a 20,000-token Markdown answer (headings,
 * prose, lists, tables and code blocks) arrives in the chunks the host posts, and is rendered by the chat's
 * incremental renderer and by a naive full re-render per chunk, alternating. Each chunk's render plus the layout it
 * causes is one frame; the incremental side also renders the finished answer whole at the end, as the chat does.
 * Goal: at least 5x less total render time, and no frame over 50 ms.
 */
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { provision } from '../../scripts/provision.mjs';
import type { RenderRun } from './render/result';
import { fmt, median } from './stats';

const TOKENS = 20_000;
/** Characters per token, the usual average for English text and code. */
const CHARS_PER_TOKEN = 4;
/** Tokens per posted chunk: what a ~300 token/s answer fills in the host's 33 ms batching interval. */
const TOKENS_PER_CHUNK = 10;
const ROUNDS = 3;

/** A long, varied answer: the shapes a model writes, so block boundaries fall everywhere a real answer has them. */
function answer(): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < TOKENS * CHARS_PER_TOKEN; i++) {
    parts.push(`## Step ${i + 1}: look at module ${i}\n\n`);
    parts.push(`The **${i}th** change touches \`module${i}.ts\` and keeps the [contract](https://example.invalid/${i}) intact. `.repeat(3) + '\n\n');
    parts.push(Array.from({ length: 4 }, (_, j) => `- item ${j} of step ${i}, with *emphasis* and \`code\`\n`).join('') + '\n');
    if (i % 3 === 0) parts.push('| name | before | after |\n|---|---|---|\n' + Array.from({ length: 4 }, (_, j) => `| row${j} | ${j * i} | ${j * i + 1} |\n`).join('') + '\n');
    parts.push('```ts\n' + Array.from({ length: 6 }, (_, j) => `export function f${i}_${j}(x: number): number { return x * ${j} + ${i}; }\n`).join('') + '```\n\n');
  }
  return parts.join('').slice(0, TOKENS * CHARS_PER_TOKEN);
}

function chunks(text: string): string[] {
  const size = TOKENS_PER_CHUNK * CHARS_PER_TOKEN;
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function main(): Promise<void> {
  const { chromium: executablePath } = await provision({ browser: true });
  const bundle = await esbuild.build({ entryPoints: [join(__dirname, 'render/page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, minify: true });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const text = answer();
    const parts = chunks(text);
    const run = (kind: 'incremental' | 'naive') => page.evaluate<RenderRun, { kind: string; parts: string[] }>(({ kind: k, parts: p }) => (globalThis as any).renderBench[k](p), { kind, parts });

    // Both warm up on the same work (a tenth of the answer: a whole naive run takes a minute), then alternate so
    // drift on a shared machine hits both.
    const warmUp = parts.slice(0, Math.ceil(parts.length / 10));
    for (const kind of ['incremental', 'naive']) await page.evaluate<unknown, { kind: string; parts: string[] }>(({ kind: k, parts: p }) => (globalThis as any).renderBench[k](p), { kind, parts: warmUp });
    const inc: RenderRun[] = [];
    const naive: RenderRun[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        inc.push(await run('incremental'));
        naive.push(await run('naive'));
      } else {
        naive.push(await run('naive'));
        inc.push(await run('incremental'));
      }
    }
    const squash = (s: string) => s.replace(/\s+/g, '');
    if (squash(inc[0].text) !== squash(naive[0].text)) throw new Error('the two renderers produced different text; the comparison would be meaningless');

    const incTotal = median(inc.map((r) => r.totalMs));
    const naiveTotal = median(naive.map((r) => r.totalMs));
    const incLongest = Math.max(...inc.map((r) => r.longestMs));
    const naiveLongest = Math.max(...naive.map((r) => r.longestMs));
    console.log(`Streamed Markdown render: ${TOKENS.toLocaleString('en-US')} tokens (${text.length.toLocaleString('en-US')} chars) in ${parts.length} chunks of ${TOKENS_PER_CHUNK} tokens, ${ROUNDS} rounds each, alternating, headless chromium`);
    console.log(`  incremental (chat): total ${fmt(incTotal, 0)} ms (median), longest frame ${fmt(incLongest, 1)} ms (worst round), the finishing frame ${fmt(median(inc.map((r) => r.finishMs)), 1)} ms (median)`);
    console.log(`  naive full re-render: total ${fmt(naiveTotal, 0)} ms (median), longest frame ${fmt(naiveLongest, 1)} ms (worst round)`);
    console.log(`  ratio: ${fmt(naiveTotal / incTotal, 1)}x less total render time (goal >= 5x); longest incremental frame ${fmt(incLongest, 1)} ms (goal <= 50 ms)`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
