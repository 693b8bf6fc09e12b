// The Anthropic API's server-side compaction (`anthropicMode: 'api'`), through the real SDK against the fake: the
// compact edit goes with its beta, the compaction block that opens an answer is kept (never shown as text) and sent
// back first in that assistant turn, after which the fake, like the API, counts only what follows it. Other
// backends never see the block: a fork to one gets the whole text transcript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionStage } from '../../src/core/context/window';
import type { AssistantMessage } from '../../src/core/transcript';
import { FAKE_ANTHROPIC_KEY } from '../fixtures/anthropicFake';
import { signCompaction } from '../fixtures/anthropicFakeCompaction';
import { HAIKU } from './helpers';
import { mixedFleetRig, OPENAI_MODEL } from './mixedRig';

/** About 25,000 tokens as the fake counts them (four characters a token), each different. */
const big = (i: number) => `Part ${i} of the log to review: ` + `line ${i} of the build output, with a warning. `.repeat(2100);

async function compactingRig() {
  let stage: CompressionStage | undefined;
  // An 80,000-token window at a 0.75 threshold: compaction past 60,000 input tokens. Other targets get a window
  // the conversation fits, so that what a fork sends is the transcript itself, not the fleet's compression of it.
  const r = await mixedFleetRig(() => [], { stages: [(q, n, e) => stage!.stage(q, n, e)] });
  stage = new CompressionStage({ backends: () => [], apply: () => assert.fail('the fleet does not compress in api mode'), windowOf: async (t) => (t.backend === 'anthropic' ? 80_000 : 1_000_000) });
  stage.configure({ anthropicMode: 'api', threshold: 0.75 });
  const notes: string[] = [];
  const deltas: string[] = [];
  r.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
  r.fleet.onDidStream((d) => deltas.push(d.delta));
  r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
  for (let i = 1; i <= 4; i++) await r.fleet.ask('a', big(i));
  return { ...r, notes, deltas };
}

describe('compression: the Anthropic API compacts on the server', () => {
  it('sends the compact edit and its beta, keeps the compaction block off the answer text, and notes it', async () => {
    const r = await compactingRig();
    try {
      const requests = r.anthropic.messageRequests();
      assert.equal(requests.length, 4);
      for (const q of requests) {
        assert.equal(q.refused, undefined, q.refused?.message);
        assert.match(String(q.headers['anthropic-beta']), /compact-2026-01-12/);
        assert.deepEqual(q.body.context_management.edits.find((e: { type: string }) => e.type === 'compact_20260112'), { type: 'compact_20260112', trigger: { type: 'input_tokens', value: 60_000 } });
      }
      // Turns 1 and 2 stay under the trigger; turn 3 passes it and the fake compacts.
      assert.deepEqual(requests.map((q) => q.compacted === true), [false, false, true, false]);
      const answers = r.fleet.get('a').transcript.filter((m): m is AssistantMessage => m.role === 'assistant');
      const third = answers[2];
      assert.ok(third.apiCompaction, 'the block is kept on the answer');
      assert.match(third.apiCompaction.content ?? '', /^FAKE-COMPACTION #3 of 5 messages/);
      assert.equal(third.apiCompaction.signature, signCompaction(third.apiCompaction.content!));
      assert.equal(third.apiCompaction.encrypted_content, 'fake-enc-3');
      assert.equal(third.apiCompaction.summarized, 5);
      assert.match(third.text, /^FAKE-REPLY #3/);
      assert.ok(!r.deltas.join('').includes('FAKE-COMPACTION'), 'never streamed as text');
      assert.equal(answers.filter((m) => m.apiCompaction).length, 1);
      assert.equal(r.notes.filter((n) => n === 'compacted by the API: 5 earlier messages summarized').length, 1);
      assert.ok(r.notes.some((n) => /compacts past 60,000/.test(n)));
      // The compaction's own tokens are billed beside the answer's (the fake reports them in usage.iterations).
      const summaryTokens = Math.ceil(third.apiCompaction.content!.length / 4);
      assert.equal(third.usage?.input, requests[2].counted!.tokens + summaryTokens);
    } finally {
      await r.close();
    }
  });

  it('sends the block back first in its assistant turn, and the fake then counts only what follows it', async () => {
    const r = await compactingRig();
    try {
      const [, , third, fourth] = r.anthropic.messageRequests();
      const block = r.fleet.get('a').transcript.filter((m): m is AssistantMessage => m.role === 'assistant')[2].apiCompaction!;
      const messages = fourth.body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
      assert.equal(messages.length, 7, 'the whole conversation still goes: the API drops what precedes the block');
      assert.equal(messages[5].role, 'assistant');
      assert.deepEqual(messages[5].content[0], { type: 'compaction', content: block.content, encrypted_content: 'fake-enc-3', signature: block.signature });
      assert.equal(messages[5].content[1].type, 'text');
      assert.equal(messages.filter((m) => m.content.some((b) => b.type === 'compaction')).length, 1);
      assert.deepEqual({ from: fourth.counted!.from, messages: fourth.counted!.messages }, { from: 5, messages: 2 });
      assert.ok(fourth.counted!.tokens * 2 < third.counted!.tokens, `counted ${fourth.counted!.tokens} after, ${third.counted!.tokens} before`);
      assert.equal(fourth.usage!.input_tokens, fourth.counted!.tokens);
      assert.equal(fourth.compacted, undefined, 'under the trigger again');
    } finally {
      await r.close();
    }
  });

  it('a fork to another backend gets the whole text transcript, without the block', async () => {
    const r = await compactingRig();
    try {
      await r.fleet.fork('a', 'b', { backend: 'openai', model: OPENAI_MODEL });
      await r.fleet.ask('b', 'and the last part?');
      const sent = r.openai.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>;
      assert.equal(sent.length, 9);
      for (let i = 1; i <= 4; i++) assert.equal(sent[(i - 1) * 2].content, big(i));
      assert.ok(!JSON.stringify(sent).includes('FAKE-COMPACTION'));
    } finally {
      await r.close();
    }
  });

  it('the fake refuses a compaction block sent back malformed, as the API does', async () => {
    const r = await mixedFleetRig();
    try {
      const content = 'FAKE-COMPACTION #1 of 3 messages';
      const post = async (messages: unknown[], beta = 'context-management-2025-06-27,compact-2026-01-12') => {
        const res = await fetch(`${r.anthropic.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'anthropic-beta': beta },
          body: JSON.stringify({ model: HAIKU, max_tokens: 10, messages }),
        });
        return { status: res.status, message: ((await res.json()) as { error?: { message: string } }).error?.message ?? '' };
      };
      const turn = (block: Record<string, unknown>, role = 'assistant', first = true) => [
        { role: 'user', content: 'hi' },
        { role, content: first ? [block, { type: 'text', text: 'ok' }] : [{ type: 'text', text: 'ok' }, block] },
        { role: 'user', content: 'next' },
      ];
      const good = { type: 'compaction', content, signature: signCompaction(content) };
      assert.equal((await post(turn(good))).status, 200);
      assert.match((await post(turn({ ...good, signature: 'forged' }))).message, /signature: Invalid signature/);
      assert.match((await post(turn({ ...good, content: `${content}, edited` }))).message, /signature: Invalid signature/);
      assert.match((await post(turn(good, 'user'))).message, /only allowed in assistant messages/);
      assert.match((await post(turn(good, 'assistant', false))).message, /must come first/);
      assert.match((await post(turn({ ...good, summary: 'x' }))).message, /content\.0\.summary: Extra inputs are not permitted/);
      assert.match((await post(turn({ ...good, content: '' }))).message, /Empty string content is not allowed/);
      assert.match((await post(turn(good), 'context-management-2025-06-27')).message, /need the "anthropic-beta: compact-2026-01-12" header/);
      assert.equal((await post(turn({ type: 'compaction', content: null }))).status, 200, 'a failed compaction goes back as a no-op');
    } finally {
      await r.close();
    }
  });
});
