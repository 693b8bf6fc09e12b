// Context compression through a real Fleet and the real Anthropic SDK against the loopback fake: the trigger, what
// is kept verbatim, the summarizer's request, the sliding-window fallback, and the marks left in the transcript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressedHistory, latestCompression, summarizerPrompt } from '../../src/core/context/summary';
import { compressionNote } from '../../src/core/context/window';
import type { Message } from '../../src/core/transcript';
import { summaryRecord } from '../../src/core/context/summaryRecord';
import { isLedgerRecord } from '../../src/core/cost/ledgerRecord';
import { allTexts, promptText } from '../fixtures/anthropicFake';
import { compressionRig, isSummarizer, question, sentTokens } from './compressionRig';
import { HAIKU } from './helpers';

const LIMIT = 3000; // 0.75 of the rig's 4,000-token window

describe('compression', () => {
  it('over a 200-turn conversation, keeps the latest request verbatim and every request under the threshold', async () => {
    const r = await compressionRig({ threshold: 0.75, keepTurns: 3, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } });
    try {
      r.fleet.spawn('long', { backend: 'anthropic', model: HAIKU, systemPrompt: 'You review code.' });
      for (let i = 1; i <= 200; i++) await r.fleet.ask('long', question(i));
      const turns = r.turns();
      assert.equal(turns.length, 200);
      turns.forEach((t, i) => {
        assert.equal(promptText(t.body), question(i + 1), `turn ${i + 1} ends with its request, verbatim`);
        assert.ok(sentTokens(t) <= LIMIT, `turn ${i + 1} sent ${sentTokens(t)} tokens, over ${LIMIT}`);
      });
      // Uncompressed, the last turn alone would carry the whole conversation (about 200 × 200 tokens).
      assert.ok(sentTokens(turns[199]) < sentTokens(turns[0]) + LIMIT);
      assert.ok(r.summaries().length >= 10, `compressed ${r.summaries().length} times`);
      const transcript = r.fleet.get('long').transcript;
      assert.equal(transcript.length, 400, 'nothing left the transcript');
      assert.ok(transcript.filter((m) => m.compressedBy).length > 300);
    } finally {
      await r.close();
    }
  });

  it('sends the summarizer the dropped turns, then sends summary + kept turns', async () => {
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } }, { window: 1200 });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      for (let i = 1; i <= 6; i++) await r.fleet.ask('a', question(i));
      const [summarizer] = r.summaries();
      assert.ok(summarizer, 'the summarizer was asked');
      assert.equal(summarizer.body.model, HAIKU);
      const prompt = promptText(summarizer.body);
      assert.match(prompt, /The messages to summarize/);
      assert.ok(prompt.includes(question(1)), 'the oldest question is in the summarizer prompt');
      // The summary's tokens are the instance's spend: billed to it, under the ask it was made for.
      assert.equal(r.bills.length, r.summaries().length);
      const [{ instance, askId, bill }] = r.bills;
      assert.equal(instance, 'a');
      assert.equal(bill.model, HAIKU);
      assert.equal(bill.usage.input, summarizer.usage!.input_tokens);
      assert.ok(bill.cost?.usd !== undefined && bill.cost.usd > 0, 'priced, not $0');
      const record = summaryRecord('a', instance, askId, bill);
      assert.ok(isLedgerRecord(record));
      assert.equal(record.askId, `${askId}:summary`);
      assert.equal(record.reason, 'compression summary');
      const after = r.turns().at(-1)!;
      const texts = allTexts(after.body);
      assert.match(texts[0], /^\[Summary of earlier messages/);
      assert.ok(!texts.some((t) => t.includes(question(1))), 'the dropped question is no longer sent');
      assert.equal(promptText(after.body), question(6));
    } finally {
      await r.close();
    }
  });

  it('writes tool calls, tool results and reasoning out as text for the summarizer', () => {
    const answer: Message = { id: 'a1', role: 'assistant', text: 'Found it.', at: 0, status: 'complete', model: HAIKU, backend: 'claudeCode', latencyMs: 0, parts: [{ kind: 'tool_call', name: 'Grep', text: '{"pattern":"parseConfig"}' }, { kind: 'tool_result', name: 'Grep', text: 'src/config.ts:12' }] };
    const prompt = summarizerPrompt('Earlier: set up the repo.', [{ id: 'u1', role: 'user', text: 'Where is parseConfig?', at: 0 }, answer], 100);
    assert.match(prompt, /^An earlier summary of the conversation before these messages:\n\nEarlier: set up the repo\./);
    assert.match(prompt, /### User\nWhere is parseConfig\?/);
    assert.match(prompt, /\[tool call Grep\] \{"pattern":"parseConfig"\}/);
    assert.match(prompt, /\[tool result Grep\] src\/config\.ts:12/);
    assert.match(prompt, /at most 100 words\.$/);
  });

  it('an instance named as the summarizer gets the request (its chat and the ledger see it)', async () => {
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'instance', name: 'scribe' } }, { window: 1200 });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      r.fleet.spawn('scribe', { backend: 'anthropic', model: 'claude-opus-4-5', systemPrompt: 'You are the scribe.' });
      for (let i = 1; i <= 6; i++) await r.fleet.ask('a', question(i));
      const scribeAsks = r.fake.messageRequests().filter((q) => q.body.model === 'claude-opus-4-5');
      assert.ok(scribeAsks.length >= 1, 'the fake saw the scribe’s request');
      assert.match(promptText(scribeAsks[0].body), /You compress conversations[\s\S]*The messages to summarize/);
      const scribe = r.fleet.get('scribe').transcript;
      assert.equal(scribe.filter((m) => m.role === 'user').length, scribeAsks.length, 'each summary is an ask of the scribe');
      assert.equal(latestCompression(r.fleet.get('a').transcript)?.summarizer, 'scribe');
    } finally {
      await r.close();
    }
  });

  it('an empty summary is refused: the sliding window is used, and the note says so', async () => {
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } }, { window: 1200, summary: () => ({ kind: 'reply', deltas: [] }) });
    try {
      const notes: string[] = [];
      r.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      for (let i = 1; i <= 6; i++) await r.fleet.ask('a', question(i));
      assert.ok(r.summaries().length >= 1);
      const record = latestCompression(r.fleet.get('a').transcript)!;
      assert.equal(record.mode, 'window');
      assert.equal(record.summary, undefined);
      assert.match(record.note!, /empty summary; the sliding window was used instead/);
      assert.ok(notes.some((n) => /^compressed: \d+ earlier messages with a sliding window/.test(n)), notes.join('\n'));
      const texts = allTexts(r.turns().at(-1)!.body);
      assert.ok(!texts.some((t) => t.startsWith('[Summary')), 'no summary is sent');
      assert.equal(texts.at(-1), question(6));
    } finally {
      await r.close();
    }
  });

  it('a summary shorter than the minimum is refused too', async () => {
    const r = await compressionRig({ keepTurns: 1, minSummaryChars: 200, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } }, { window: 1200, summary: () => ({ kind: 'reply', text: 'Talked about config.' }) });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      for (let i = 1; i <= 6; i++) await r.fleet.ask('a', question(i));
      const record = latestCompression(r.fleet.get('a').transcript)!;
      assert.equal(record.mode, 'window');
      assert.match(record.note!, /too short \(20 characters, at least 200 wanted\)/);
    } finally {
      await r.close();
    }
  });

  it('dropped messages stay in the transcript, marked, and persisted; pinned ones are kept verbatim', async () => {
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } }, { window: 1200 });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      await r.fleet.ask('a', 'Remember: the deploy key is in vault path secret/deploy.');
      const first = r.fleet.get('a').transcript[0];
      r.fleet.pin('a', first.id);
      for (let i = 2; i <= 7; i++) await r.fleet.ask('a', question(i));
      const transcript = r.fleet.get('a').transcript;
      assert.equal(transcript.length, 14);
      const record = latestCompression(transcript)!;
      const marked = transcript.filter((m) => m.compressedBy);
      assert.ok(marked.length >= 2);
      assert.ok(marked.every((m) => transcript.some((x) => x.compression && x.compression.id === m.compressedBy)), 'every mark names a recorded compression');
      assert.equal(marked.at(-1)!.compression?.id, record.id);
      assert.throws(() => r.fleet.pin('a', marked[0].id), /already compressed/, 'pinning what was dropped would keep nothing');
      assert.equal(transcript[0].pinned, true);
      assert.equal(transcript[0].compressedBy, undefined, 'the pinned message was not dropped');
      assert.ok(allTexts(r.turns().at(-1)!.body).some((t) => t.includes('secret/deploy')), 'the pinned message is sent verbatim');
      await r.fleet.flush();
      const saved = r.store.saved.get('a')!.transcript as Message[];
      assert.deepEqual(saved.map((m) => m.compressedBy), transcript.map((m) => m.compressedBy));
      assert.deepEqual(compressedHistory(saved).map((m) => m.text), compressedHistory(transcript).map((m) => m.text));
    } finally {
      await r.close();
    }
  });

  it('is turned off per instance (compress: false) and globally (enabled: false)', async () => {
    const r = await compressionRig({ keepTurns: 1 }, { window: 1200 });
    try {
      r.fleet.spawn('off', { backend: 'anthropic', model: HAIKU, compress: false });
      for (let i = 1; i <= 6; i++) await r.fleet.ask('off', question(i));
      assert.equal(r.fleet.status('off').compress, false);
      assert.equal((await r.fleet.fork('off', 'off-fork')).compress, false, 'a fork keeps it off, as it keeps the fallback chain');
      assert.equal(r.summaries().length, 0);
      assert.ok(allTexts(r.turns().at(-1)!.body).includes(question(1)), 'the whole conversation is sent');
      r.fleet.setCompression('off', true);
      r.compression.configure({ enabled: false });
      await r.fleet.ask('off', question(7));
      assert.equal(r.summaries().length, 0);
      r.compression.configure({ enabled: true });
      await r.fleet.ask('off', question(8));
      assert.equal(r.summaries().length, 1, 'on again, the next turn compresses');
    } finally {
      await r.close();
    }
  });

  it('Compress Now compresses an idle instance below the threshold; it refuses Claude Code and busy instances', async () => {
    const r = await compressionRig({ keepTurns: 1 }, { window: 100_000 });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      for (let i = 1; i <= 4; i++) await r.fleet.ask('a', question(i));
      assert.equal(r.summaries().length, 0, 'far below the threshold');
      const out = await r.compression.compressNow(r.fleet.get('a'));
      assert.equal(out.mark!.record.dropped, 4, 'the two oldest turns');
      assert.match(out.note!, /^compressed: 4 earlier messages into a summary by anthropic\/claude-haiku-4-5/);
      await r.fleet.ask('a', question(5));
      assert.match(allTexts(r.turns().at(-1)!.body)[0], /^\[Summary/);
      const busy = r.fleet.ask('a', question(6));
      await assert.rejects(r.compression.compressNow(r.fleet.get('a')), /is answering/);
      await busy;
      const claude = { ...r.fleet.get('a'), name: 'cc', spec: { ...r.fleet.get('a').spec, backend: 'claudeCode' as const } };
      await assert.rejects(r.compression.compressNow(claude), /compacts its own context/);
      assert.ok(r.fake.messageRequests().every((q) => !q.refused));
      assert.ok(r.fake.messageRequests().some(isSummarizer));
    } finally {
      await r.close();
    }
  });
});

describe('compression note', () => {
  const mark = { droppedIds: ['a', 'b'], record: { id: 'c', at: 0, mode: 'summary' as const, summary: 's', dropped: 2, summarizer: 'anthropic/x', tokensBefore: 5000, tokensAfter: 900 } };
  it('prices the summary as every other figure is priced, an unknown price as unpriced', () => {
    assert.match(compressionNote(mark, { usd: 123.4, basis: 'table' }), /summary cost \$123\.40\)$/, 'not 1.2e+2');
    assert.match(compressionNote(mark, { usd: 0.0012, basis: 'table' }), /summary cost \$0\.0012\)$/);
    assert.match(compressionNote(mark, { usd: undefined, basis: 'unpriced' }), /summary unpriced\)$/);
  });
});
