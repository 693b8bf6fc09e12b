// The Anthropic API's server-side compaction (`anthropicMode: 'api'`), through the real SDK against the fake: the
// compact edit goes with its beta, the compaction block that opens an answer is kept (never shown as text) and sent
// back first in that assistant turn, after which the fake, like the API, counts only what follows it. Other
// backends never see the block: a fork to one gets the whole text transcript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionStage } from '../../src/core/context/window';
import { Budgets } from '../../src/core/cost/budgets';
import { estimateTokens } from '../../src/core/context/tokens';
import type { AssistantMessage } from '../../src/core/transcript';
import { FAKE_ANTHROPIC_KEY } from '../fixtures/anthropicFake';
import { signCompaction } from '../fixtures/anthropicFakeCompaction';
import { HAIKU } from './helpers';
import { mixedFleetRig, OPENAI_MODEL } from './mixedRig';

/** A model the compaction docs list as supported (build-with-claude/compaction.md, "Compatibility"); Haiku is not. */
const SONNET = 'claude-sonnet-4-6';

/** About 25,000 tokens as the fake counts them (four characters a token), each different. */
const big = (i: number) => `Part ${i} of the log to review: ` + `line ${i} of the build output, with a warning. `.repeat(2100);

async function compactingRig(model = SONNET, asks = 4) {
  let stage: CompressionStage | undefined;
  // The budget stage after compression, as in the pipeline, for its pre-flight estimate of each ask (no caps).
  const budgets = new Budgets({ ledger: { query: async () => assert.fail(), summarize: async () => assert.fail(), months: async () => [], now: Date.now }, outputAllowanceTokens: 0 });
  // An 80,000-token window at a 0.75 threshold: compaction past 60,000 input tokens. Other targets get a window
  // the conversation fits, so that what a fork sends is the transcript itself, not the fleet's compression of it.
  // The windows are the models' own here (maxContextTokens 0), not the default cap, which would compact at 50,000.
  const r = await mixedFleetRig(() => [], { stages: [(q, n, e) => stage!.stage(q, n, e), budgets.stage] });
  stage = new CompressionStage({ backends: () => [], apply: () => assert.fail('the fleet does not compress in api mode'), windowOf: async (t) => (t.backend === 'anthropic' ? 80_000 : 1_000_000) });
  stage.configure({ anthropicMode: 'api', threshold: 0.75, maxContextTokens: 0 });
  const notes: string[] = [];
  const deltas: string[] = [];
  const estimates: number[] = [];
  r.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
  r.fleet.onDidTurnEvent((e) => e.event.type === 'estimate' && estimates.push(e.event.inputTokens));
  r.fleet.onDidStream((d) => deltas.push(d.delta));
  r.fleet.spawn('a', { backend: 'anthropic', model });
  for (let i = 1; i <= asks; i++) await r.fleet.ask('a', big(i));
  return { ...r, notes, deltas, estimates };
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
      // The compaction's own tokens are billed beside the answer's (the fake reports them in usage.iterations), and
      // the answer's own input is the final figure of message_delta, not message_start's (the context as received).
      const summaryTokens = Math.ceil(third.apiCompaction.content!.length / 4);
      assert.equal(third.usage?.input, requests[2].counted!.tokens + summaryTokens);
      assert.equal(answers[3].usage?.input, requests[3].counted!.tokens, 'no compaction entry, nothing added');
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
          body: JSON.stringify({ model: SONNET, max_tokens: 10, messages }),
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
      // The docs: every content block before the block is ignored, so one after the text is taken, and counted from.
      assert.equal((await post(turn(good, 'assistant', false))).status, 200);
      assert.equal(r.anthropic.messageRequests().at(-1)!.counted!.messages, 2);
      assert.equal((await post(turn({ type: 'compaction', content }))).status, 200, 'the docs send a block back without a signature');
      assert.match((await post(turn({ ...good, summary: 'x' }))).message, /content\.0\.summary: Extra inputs are not permitted/);
      assert.match((await post(turn({ ...good, content: '' }))).message, /Empty string content is not allowed/);
      assert.match((await post(turn(good), 'context-management-2025-06-27')).message, /need the "anthropic-beta: compact-2026-01-12" header/);
      assert.equal((await post(turn({ type: 'compaction', content: null }))).status, 200, 'a failed compaction goes back as a no-op');
    } finally {
      await r.close();
    }
  });

  it('on a model the docs do not list, the fleet compresses instead and says why; the fake refuses the edit there', async () => {
    const r = await compactingRig(HAIKU, 1);
    try {
      const [q] = r.anthropic.messageRequests();
      assert.equal(q.body.context_management, undefined, 'no compact edit for Haiku');
      assert.ok(r.notes.some((n) => /the fleet compresses it, since the Anthropic API compacts only on .*claude-sonnet-4-6.*, not on claude-haiku-4-5/.test(n)), r.notes.join('\n'));
      const post = async (model: string) => {
        const res = await fetch(`${r.anthropic.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'anthropic-beta': 'compact-2026-01-12' },
          body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], context_management: { edits: [{ type: 'compact_20260112' }] } }),
        });
        return { status: res.status, body: (await res.json()) as { error?: { message: string }; usage?: { iterations?: Array<{ type: string }> } } };
      };
      const refused = await post(HAIKU);
      assert.equal(refused.status, 400);
      assert.match(refused.body.error!.message, /'compact_20260112' is not supported on model 'claude-haiku-4-5'/);
      // The compaction beta alone is enough for the compact edit, and with it every response reports iterations.
      const ok = await post('claude-opus-4-6-20260205');
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.usage?.iterations?.map((i) => i.type), ['message']);
    } finally {
      await r.close();
    }
  });

  it('with pause_after_compaction the fake answers the block alone, stop reason compaction; the edit is checked as the docs say', async () => {
    const r = await mixedFleetRig();
    try {
      const post = async (edit: Record<string, unknown>, text = big(1) + big(2) + big(3)) => {
        const res = await fetch(`${r.anthropic.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'anthropic-beta': 'compact-2026-01-12' },
          body: JSON.stringify({ model: SONNET, max_tokens: 10, messages: [{ role: 'user', content: text }], context_management: { edits: [{ type: 'compact_20260112', ...edit }] } }),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const paused = await post({ trigger: { type: 'input_tokens', value: 50_000 }, pause_after_compaction: true });
      assert.equal(paused.body.stop_reason, 'compaction');
      assert.deepEqual(paused.body.content.map((b: { type: string }) => b.type), ['compaction']);
      assert.deepEqual(paused.body.usage.iterations.map((i: { type: string }) => i.type), ['compaction']);
      assert.equal(paused.body.usage.input_tokens, 0, 'top level: the non-compaction iterations, none here');
      assert.match((await post({ trigger: { type: 'input_tokens', value: 49_999 } })).body.error.message, /trigger\.value: Input should be greater than or equal to 50000/);
      assert.match((await post({ trigger: { type: 'tool_uses', value: 60_000 } })).body.error.message, /trigger\.type: Input should be 'input_tokens'/);
      assert.match((await post({ instructions: 42 })).body.error.message, /instructions: Input should be a valid string/);
      assert.equal((await post({ instructions: 'Keep the code identifiers.' }, 'hi')).status, 200);
    } finally {
      await r.close();
    }
  });

  it("after a compaction the budget's estimate of the next ask is the compacted size, not the whole transcript", async () => {
    const r = await compactingRig();
    try {
      const requests = r.anthropic.messageRequests();
      assert.equal(r.estimates.length, 4);
      const fourth = requests[3];
      const transcript = r.fleet.get('a').transcript.slice(0, -1);
      const whole = estimateTokens(transcript, SONNET);
      // What the API counts of the fourth request (the fake: four characters a token) against what we expected.
      const ratio = r.estimates[3] / fourth.counted!.tokens;
      assert.ok(ratio > 0.8 && ratio < 1.6, `estimate ${r.estimates[3]}, counted ${fourth.counted!.tokens}`);
      assert.ok(r.estimates[3] * 2 < whole, `estimate ${r.estimates[3]}, whole transcript ${whole}`);
      // The third ask, before any compaction, was estimated on the whole transcript up to it.
      assert.ok(r.estimates[2] > r.estimates[3] * 2);
    } finally {
      await r.close();
    }
  });
});
