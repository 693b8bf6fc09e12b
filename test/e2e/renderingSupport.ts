// What the rendering tests (rendering.test.ts, outputSafety.test.ts) share: seeded random chunking, a scripted token
// source for the Ollama fake, readers of the chat's and the comparison's rendered text, and what tells a CSP report.
// Their workbench is in renderingWorkbench.ts.
import type { Frame } from 'playwright-core';
import type { TokenSource } from '../fixtures/ollamaFake';
import type { ProseCase } from '../fixtures/proseCorpus';

/** Chunk boundaries come from this seed (each answer adds its own offset), so a failure reproduces exactly. */
export const SEED = Number(process.env.LLM_FLEET_RENDER_SEED ?? 20_261_201);

export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `text` cut at random boundaries into pieces of 1–7 characters. */
export function randomChunks(text: string, seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * 7);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const normalize = (s: string) => s.replace(/[\s\u00a0]+/g, ' ').trim();

/** `case: string` for every visible string of `cases` that `text` does not show. */
export function missingIn(text: string, cases: readonly ProseCase[]): string[] {
  const shown = normalize(text);
  return cases.flatMap((c) => c.visible.filter((v) => !shown.includes(normalize(v))).map((v) => `${c.name}: ${v} (shown: ${excerpt(shown, normalize(v))})`));
}

/** The rendered text around where `wanted` should be (found by its first words), for the failure message. */
function excerpt(shown: string, wanted: string): string {
  for (const len of [24, 12, 6]) {
    const at = shown.indexOf(wanted.slice(0, len));
    if (at >= 0) return JSON.stringify(shown.slice(Math.max(0, at - 40), at + wanted.length + 40));
  }
  return 'nothing like it';
}

/** Where two rendered texts first differ (whitespace runs as one space), or undefined when they are the same. */
export function difference(streamed: string, finished: string): string | undefined {
  const a = normalize(streamed);
  const b = normalize(finished);
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 40), i + 40));
  return `at character ${i}: streamed ${around(a)}, finished ${around(b)}`;
}

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export async function within<T>(what: string, p: Promise<T>, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `missing` until it reports nothing, or the time is up; returns what was still missing last. */
export async function settle(missing: () => Promise<string[]>, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await missing().catch((e) => [`(could not read: ${String(e)})`]);
    if (m.length === 0 || Date.now() > deadline) return m;
    await sleep(200);
  }
}

/**
 * A token source for the Ollama fake whose answers the test scripts per prompt: the pieces are sent (with a small
 * gap, so the host flushes them to the webview in several deltas), then the answer stays open until the test
 * releases it. So the test can look at the streamed rendering before the final, whole rendering replaces it.
 * With `fillUntil`, the answer opens with numbered filler words, one every 2 ms, until that promise resolves: a
 * steady stream the test can reload a webview into.
 */
export function scriptedSource(fallback: TokenSource) {
  interface Job {
    key: string;
    chunks: readonly string[];
    gapMs: number;
    fillUntil?: Promise<void>;
    started: () => void;
    delivered: () => void;
    released: Promise<void>;
  }
  const waiting: Job[] = [];
  const source: TokenSource = async function* (body, signal) {
    const prompt = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
    const i = waiting.findIndex((w) => prompt.includes(w.key));
    if (i < 0) return yield* fallback(body, signal);
    const job = waiting.splice(i, 1)[0];
    job.started();
    if (job.fillUntil) {
      let filled = false;
      void job.fillUntil.then(() => (filled = true));
      for (let n = 1; !filled; n++) {
        if (signal.aborted) return {};
        yield `f${n} `;
        await sleep(2);
      }
      yield '\n\n';
    }
    for (const piece of job.chunks) {
      if (signal.aborted) return {};
      yield piece;
      if (job.gapMs) await sleep(job.gapMs);
    }
    job.delivered();
    await Promise.race([job.released, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    return {};
  };
  /** The next request whose last user message contains `key` is answered with `chunks`. */
  const script = (key: string, chunks: readonly string[], gapMs = 0, fillUntil?: Promise<void>) => {
    let started!: () => void;
    let delivered!: () => void;
    let release!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const deliveredP = new Promise<void>((r) => (delivered = r));
    const released = new Promise<void>((r) => (release = r));
    waiting.push({ key, chunks, gapMs, fillUntil, started, delivered, released });
    return { started: startedP, delivered: deliveredP, release };
  };
  return { source, script };
}

/** The chat's answers: how many, and whether the last one is still streaming, with its rendered text. */
export const lastAnswer = (chat: Frame) =>
  chat.evaluate<{ count: number; streaming: boolean; text: string }>(`(() => {
    const all = [...document.querySelectorAll('.messages .msg.assistant')];
    const last = all.at(-1);
    return { count: all.length, streaming: !!last?.classList.contains('streaming'), text: last?.querySelector('.body')?.innerText ?? '' };
  })()`);

/** The element of the chat's last answer. */
export const lastAnswerElement = (chat: Frame) => chat.locator('.messages .msg.assistant').last();

/** The comparison's columns: the instance, whether its answer has finished, and its rendered text. */
export const compareColumns = (compare: Frame) =>
  compare.evaluate<Array<{ name: string; finished: boolean; text: string }>>(`[...document.querySelectorAll('.columns .column')].map((c) => ({
    name: c.querySelector('.name')?.textContent ?? '',
    finished: !!c.querySelector('.column-foot .facts'),
    text: c.querySelector('.column-body')?.innerText ?? '',
  }))`);

export const CSP_MESSAGE = /Refused to|Content Security Policy/i;
export const CANARY = 'csp-canary-e2e';
