// How model output looks in the real webviews: the prose corpus (tags, generics, comparisons and entities that must
// show exactly as written) in the chat and the comparison, streamed in random pieces and whole; long tokens, wide code
// and tables. What model output must never do (load, spoof, navigate) is in outputSafety.test.ts.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { PROSE } from '../fixtures/proseCorpus';
import { screenshot, until } from './harness';
import { compareColumns, difference, lastAnswer, lastAnswerElement, missingIn, prng, randomChunks, SEED, settle, within } from './renderingSupport';
import { renderingWorkbench } from './renderingWorkbench';

const SEPARATOR = '\n\n---\n\n';
const BATCH = 6;

describe('e2e rendering: model output in the chat and the comparison, as the user sees it', () => {
  const bench = renderingWorkbench();
  const { ask, askFor, finished, alphaChat, comparison, reloadWebviews, broadcast, closeComparison, cspViolations } = bench;

  it('shows every corpus string as written in the chat, streamed in random pieces and whole', async () => {
    const { wb, scripted } = bench;
    const chat = await alphaChat();
    const batches = Array.from({ length: Math.ceil(PROSE.length / BATCH) }, (_, i) => PROSE.slice(i * BATCH, (i + 1) * BATCH));
    let seed = SEED;
    const problems: string[] = [];
    for (const mode of ['streamed', 'whole'] as const) {
      for (const [b, cases] of batches.entries()) {
        const text = cases.map((c) => c.markdown).join(SEPARATOR);
        const answerSeed = seed++;
        const chunks = mode === 'streamed' ? randomChunks(text, answerSeed) : [text];
        const key = `corpus-chat-${mode}-${b + 1}`;
        const where = `${key} (${cases.map((c) => c.name).join(', ')}; seed ${answerSeed})`;
        const count = (await lastAnswer(chat)).count + 1;
        const job = scripted.script(key, chunks, mode === 'streamed' ? 12 : 0);
        let streamedText = '';
        await ask(chat, `Render ${key}`);
        try {
          await within(`the fake to send ${key}`, job.delivered);
          // Everything has arrived but the answer is still open: this is the incremental, streamed rendering.
          const streamedMissing = await settle(async () => {
            const a = await lastAnswer(chat);
            if (a.count !== count || !a.streaming) return ['(the answer is not streaming)'];
            streamedText = a.text;
            return missingIn(a.text, cases);
          });
          problems.push(...streamedMissing.map((m) => `while streaming ${where}: ${m}`));
        } finally {
          job.release();
        }
        const done = await finished(chat, count);
        problems.push(...missingIn(done.text, cases).map((m) => `finished ${where}: ${m}`));
        const diff = difference(streamedText, done.text);
        if (diff) problems.push(`${where}: the streamed rendering differs from the finished one: ${diff}`);
        await lastAnswerElement(chat).evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await screenshot(wb.page, `corpus-chat-${mode}-${b + 1}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(cspViolations(), []);
  });

  it('shows every corpus string in both columns of the comparison, streamed (through reloads of the webviews) and whole', async () => {
    const { scripted } = bench;
    const text = PROSE.map((c) => c.markdown).join(SEPARATOR);
    let seed = SEED + 1000;
    const problems: string[] = [];
    for (const mode of ['streamed', 'whole'] as const) {
      const key = `corpus-compare-${mode}`;
      const seeds = [seed++, seed++];
      const filler = { stop: () => {} };
      const fillUntil = mode === 'streamed' ? new Promise<void>((r) => (filler.stop = r)) : undefined;
      const jobs = seeds.map((s) => scripted.script(key, mode === 'streamed' ? randomChunks(text, s) : [text], mode === 'streamed' ? 6 : 0, fillUntil));
      const prompt = `Render ${key}`;
      const where = `${key} (seeds ${seeds.join(', ')})`;
      /** The streamed renderings (columns by name, and alpha's chat), to compare with the finished ones. */
      const streamed = new Map<string, string>();
      const chatCount = (await lastAnswer(await alphaChat())).count + 1;
      try {
        let compare: Frame;
        try {
          compare = await broadcast(prompt);
          if (mode === 'streamed') {
            // A webview that comes back while the answers stream (reloaded, or hidden and shown again: its context is
            // not retained) must pick up where it was, neither losing nor repeating text. While both answers stream
            // filler, the webviews are reloaded twice (the old documents are marked); then the corpus follows.
            await within('both answers to start', Promise.all(jobs.map((j) => j.started)));
            for (let r = 0; r < 2; r++) {
              await reloadWebviews([compare, await alphaChat()]);
              compare = await comparison('the reloaded comparison', prompt);
            }
            filler.stop();
          }
          await within(`the fake to send ${key} twice`, Promise.all(jobs.map((j) => j.delivered)));
          const streamedMissing = await settle(async () => {
            const cols = await compareColumns(compare);
            if (cols.length !== 2 || cols.some((c) => c.finished)) return ['(the columns are not streaming)'];
            cols.forEach((c) => streamed.set(c.name, c.text));
            return cols.flatMap((c) => missingIn(c.text, PROSE).map((m) => `${c.name}: ${m}`));
          });
          problems.push(...streamedMissing.map((m) => `while streaming ${where}: ${m}`));
          // Alpha's chat shows the same answer as it streams in.
          const chat = await alphaChat();
          const chatMissing = await settle(async () => {
            const a = await lastAnswer(chat);
            if (a.count !== chatCount || !a.streaming) return ["(alpha's chat is not streaming)"];
            streamed.set('chat', a.text);
            return missingIn(a.text, PROSE);
          });
          problems.push(...chatMissing.map((m) => `while streaming ${where}: alpha's chat: ${m}`));
        } finally {
          filler.stop();
          jobs.forEach((j) => j.release());
        }
        const cols = await until('both columns to finish', async () => {
          const c = await compareColumns(compare);
          return c.length === 2 && c.every((x) => x.finished) ? c : undefined;
        }, 45_000);
        assert.deepEqual(cols.map((c) => c.name), ['alpha', 'beta']);
        problems.push(...cols.flatMap((c) => missingIn(c.text, PROSE).map((m) => `finished ${where}: ${c.name}: ${m}`)));
        const chatDone = await finished(await alphaChat(), chatCount);
        for (const [name, finishedText] of [...cols.map((c) => [c.name, c.text] as const), ['chat', chatDone.text] as const]) {
          const diff = difference(streamed.get(name) ?? '', finishedText);
          if (diff) problems.push(`${where}: ${name === 'chat' ? "alpha's chat" : name}: the streamed rendering differs from the finished one: ${diff}`);
        }
        if (mode === 'whole') await screenshot(bench.wb.page, 'corpus-compare');
      } finally {
        await closeComparison(prompt);
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(cspViolations(), []);
  });

  it('wraps long tokens without sideways scrolling, scrolls wide code and tables inside themselves, shows task lists as disabled checkboxes', async () => {
    const chat = await alphaChat();
    const rand = prng(SEED + 2000);
    const hash = Array.from({ length: 3000 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
    const url = `https://example.com/${Array.from({ length: 40 }, (_, i) => `segment${i}`).join('/')}?q=${'x'.repeat(300)}`;
    // A table of many short columns, and a table as a model writes one: ten columns of setting names.
    const manyColumns = [
      `| ${Array.from({ length: 80 }, (_, i) => `col${i}`).join(' | ')} |`,
      `|${'---|'.repeat(80)}`,
      `| ${Array.from({ length: 80 }, (_, i) => `v${i}`).join(' | ')} |`,
    ].join('\n');
    const identifiers = Array.from({ length: 10 }, (_, i) => `llmFleet.broadcast.concurrencyLimit${i}`);
    const settingsTable = [`| ${identifiers.map((_, i) => `Setting ${i}`).join(' | ')} |`, `|${'---|'.repeat(10)}`, `| ${identifiers.join(' | ')} |`].join('\n');
    const md = [
      `A commit hash: ${hash}`,
      `A long URL: ${url}`,
      `The same hash as code: \`${hash.slice(0, 600)}\``,
      '```js\nconst wide = "' + 'w'.repeat(500) + '";\n```',
      manyColumns,
      settingsTable,
      '- [x] done\n- [ ] todo',
    ].join('\n\n');
    await askFor(chat, 'Show a hash, a URL, wide code, wide tables and a task list.', randomChunks(md, SEED + 2001));
    const answer = lastAnswerElement(chat);
    await answer.scrollIntoViewIfNeeded();
    type Box = { scrollWidth: number; clientWidth: number };
    const layout = await chat.evaluate<{ messages: Box; page: Box; answer: Box; pre: Box; tables: Array<Box & { cellLines: number[] }>; text: string; links: string[]; checkboxes: unknown[] }>(`(() => {
      const list = document.querySelector('.messages');
      const body = [...list.querySelectorAll('.msg.assistant .body')].at(-1);
      const box = (el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
      return {
        messages: box(list),
        page: box(document.scrollingElement),
        answer: box(body.querySelector('.md-done')),
        pre: box(body.querySelector('pre')),
        // How many lines the text of each cell takes.
        tables: [...body.querySelectorAll('table')].map((t) => ({ ...box(t), cellLines: [...t.querySelectorAll('th, td')].map((td) => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }) })),
        text: body.innerText,
        links: [...body.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        checkboxes: [...body.querySelectorAll('input')].map((i) => ({ type: i.type, disabled: i.disabled, checked: i.checked, label: i.closest('li')?.textContent.trim() })),
      };
    })()`);
    const fits = (b: Box) => b.scrollWidth <= b.clientWidth + 1;
    const scrolls = (b: Box | undefined) => !!b && b.scrollWidth > b.clientWidth;
    const problems: string[] = [];
    if (!fits(layout.messages)) problems.push(`the messages scroll sideways: ${JSON.stringify(layout.messages)}`);
    if (!fits(layout.page)) problems.push(`the page scrolls sideways: ${JSON.stringify(layout.page)}`);
    if (!fits(layout.answer)) problems.push(`the answer is wider than its column: ${JSON.stringify(layout.answer)}`);
    if (!scrolls(layout.pre)) problems.push(`the wide code block does not scroll inside itself: ${JSON.stringify(layout.pre)}`);
    // Neither table fits the chat: each scrolls inside itself, and its headers and cells (a word or a setting name
    // each) stay on one line rather than being broken between letters.
    const [many, settings] = layout.tables;
    for (const [what, table] of [['the 80-column table', many], ['the table of ten setting names', settings]] as const) {
      if (!scrolls(table)) problems.push(`${what} does not scroll inside itself: ${JSON.stringify({ ...table, cellLines: undefined })}`);
      const broken = table?.cellLines.filter((n) => n > 1).length ?? 0;
      if (broken) problems.push(`${what}: ${broken} of ${table!.cellLines.length} cells are broken across lines (up to ${Math.max(...table!.cellLines)} lines)`);
    }
    const shown = layout.text.replace(/\s+/g, '');
    if (!shown.includes(hash)) problems.push('the whole hash is not shown');
    if (!shown.includes(url)) problems.push('the whole URL is not shown');
    if (!layout.links.includes(url)) problems.push('the URL is not a link');
    if (!identifiers.every((id) => shown.includes(id))) problems.push('a setting name is not shown');
    assert.deepEqual(layout.checkboxes, [
      { type: 'checkbox', disabled: true, checked: true, label: 'done' },
      { type: 'checkbox', disabled: true, checked: false, label: 'todo' },
    ]);
    // A click changes nothing: the boxes show the model's state, they are not a control.
    const checkboxes = answer.locator('input[type=checkbox]');
    await checkboxes.nth(1).click({ force: true });
    assert.deepEqual(await checkboxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked)), [true, false]);
    await screenshot(bench.wb.page, 'rendering-layout');
    assert.deepEqual(cspViolations(), []);
    assert.deepEqual(problems, []);
  });
});
