// Runs inside headless chromium (bundled by ../render.bench.ts). Streams one Markdown answer into the page in the
// chunks the host would post, rendering it two ways, and times each chunk's render plus the layout it causes.
import { decorateCodeBlocks } from '../../../src/webview/shared/codeBlocks';
import { renderMarkdown } from '../../../src/webview/shared/render';
import { StreamingMarkdown } from '../../../src/webview/shared/streamingMarkdown';
import type { RenderRun } from './result';

const decorate = (f: DocumentFragment) => decorateCodeBlocks(f, [{ action: 'copy', label: 'Copy' }, { action: 'insert', label: 'Insert at Cursor' }]);

/** Times each chunk's frame, and `end` (the answer completing) as one more frame. */
function time(chunks: readonly string[], root: HTMLElement, onChunk: (chunk: string) => void, end?: () => void): RenderRun {
  let total = 0;
  let longest = 0;
  const frame = (work: () => void) => {
    const start = performance.now();
    work();
    void root.offsetHeight; // the layout the new DOM costs belongs to the frame too
    const ms = performance.now() - start;
    total += ms;
    longest = Math.max(longest, ms);
  };
  for (const chunk of chunks) frame(() => onChunk(chunk));
  const before = total;
  if (end) frame(end);
  return { totalMs: total, longestMs: longest, finishMs: total - before, text: root.textContent ?? '' };
}

function fresh(): HTMLElement {
  document.body.replaceChildren();
  return document.body.appendChild(document.createElement('main'));
}

/** The chat's renderer: finished blocks are rendered once; only the open block is rendered again. */
function incremental(chunks: readonly string[]): RenderRun {
  const root = fresh();
  // Each posted chunk is one animation frame's worth of text; render it at once instead of waiting for the frame.
  const md = new StreamingMarkdown(root, decorate, () => undefined);
  return time(
    chunks,
    root,
    (c) => {
      md.append(c);
      md.render();
    },
    // As the chat does when the turn completes: the whole answer rendered once, the largest frame of the run.
    () => md.finish(),
  );
}

/** The naive renderer: the whole answer so far, parsed, sanitized and put in the DOM again for every chunk. */
function naive(chunks: readonly string[]): RenderRun {
  const root = fresh();
  let text = '';
  return time(chunks, root, (c) => {
    text += c;
    const f = renderMarkdown(text);
    decorate(f);
    root.replaceChildren(f);
  });
}

Object.assign(window, { renderBench: { incremental, naive } });
