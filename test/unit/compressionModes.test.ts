// The other ways a context is kept in bounds: the Anthropic API's own context management (sent through the real
// SDK's beta endpoint, checked by the fake as strictly as the API checks it), and Claude Code's own compaction
// (shown, never second-guessed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnReader } from '../../src/core/backends/claudeCodeTurn';
import { CompressionStage } from '../../src/core/context/window';
import type { Message } from '../../src/core/transcript';
import type { TurnRequest, TurnResult } from '../../src/core/turn/types';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake } from '../fixtures/anthropicFake';
import { compressionRig, question } from './compressionRig';

/** A model the API compacts on (build-with-claude/compaction.md, "Compatibility"); on others the fleet compresses. */
const SONNET = 'claude-sonnet-4-6';

describe('compression modes', () => {
  it("anthropicMode 'api' sends the API's context_management (beta) instead of summarizing, and the fake accepts it", async () => {
    const r = await compressionRig({ anthropicMode: 'api', threshold: 0.75 }, { window: 1200 });
    try {
      const notes: string[] = [];
      r.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
      r.fleet.spawn('a', { backend: 'anthropic', model: SONNET });
      for (let i = 1; i <= 8; i++) await r.fleet.ask('a', question(i));
      const requests = r.fake.messageRequests();
      assert.equal(requests.length, 8, 'no summarizer requests');
      for (const q of requests) {
        assert.equal(q.refused, undefined);
        assert.match(String(q.headers['anthropic-beta']), /context-management-2025-06-27/);
        assert.deepEqual(q.body.context_management, {
          edits: [
            { type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 900 }, keep: { type: 'tool_uses', value: 3 } },
            // Compaction at the same trigger, raised to the API's floor of 50,000.
            { type: 'compact_20260112', trigger: { type: 'input_tokens', value: 50000 } },
          ],
        });
      }
      assert.ok(requests.at(-1)!.body.messages.length >= 15, 'the whole conversation is sent: the API manages it');
      assert.ok(notes.some((n) => /the Anthropic API manages it/.test(n)));
      assert.equal(r.fleet.get('a').transcript.filter((m) => m.compressedBy).length, 0);
    } finally {
      await r.close();
    }
  });

  it('the fake refuses context_management the way the API does: without the beta flag, or of the wrong shape', async () => {
    const fake = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
    try {
      const post = async (context_management: unknown, beta?: string) => {
        const res = await fetch(`${fake.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...(beta ? { 'anthropic-beta': beta } : {}) },
          body: JSON.stringify({ model: SONNET, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], context_management }),
        });
        const body = (await res.json()) as { error?: { message: string } };
        return { status: res.status, message: body.error?.message ?? '' };
      };
      const beta = 'context-management-2025-06-27';
      const good = { edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 30000 }, keep: { type: 'tool_uses', value: 3 } }] };
      assert.equal((await post(good, beta)).status, 200);
      assert.match((await post(good)).message, /context_management: Extra inputs are not permitted/);
      assert.match((await post({ edits: [{ type: 'clear_everything' }] }, beta)).message, /edits\.0\.type: Input should be/);
      assert.match((await post({ edits: [{ type: 'clear_tool_uses_20250919', keep: { type: 'input_tokens', value: 3 } }] }, beta)).message, /edits\.0\.keep\.type: Input should be 'tool_uses'/);
      assert.match((await post({ edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 0 } }] }, beta)).message, /trigger\.value: Input should be greater than or equal to 1/);
      assert.match((await post({ edits: [{ type: 'clear_tool_uses_20250919', keeep: 3 }] }, beta)).message, /edits\.0\.keeep: Extra inputs are not permitted/);
      assert.match((await post({ edits: [{ type: 'compact_20260112' }] }, beta)).message, /compaction needs the "anthropic-beta: compact-2026-01-12" header/);
      assert.equal((await post({ edits: [{ type: 'compact_20260112', trigger: { type: 'input_tokens', value: 150000 } }] }, `${beta},compact-2026-01-12`)).status, 200);
      assert.match((await post({ edits: [{ type: 'compact_20260112', trigger: { type: 'input_tokens', value: 1000 } }] }, `${beta},compact-2026-01-12`)).message, /trigger\.value: Input should be greater than or equal to 50000/);
    } finally {
      await fake.close();
    }
  });

  it('leaves Claude Code turns alone, however long: the CLI compacts its own context', async () => {
    let applied = 0;
    const stage = new CompressionStage({ backends: () => [], apply: () => void applied++, windowOf: async () => 100 });
    const history: Message[] = Array.from({ length: 40 }, (_, i) => ({ id: `m${i}`, role: i % 2 ? 'assistant' : 'user', text: question(i), at: 0, status: 'complete', model: 'opus', backend: 'claudeCode', latencyMs: 0 }) as Message);
    const instance = { name: 'cc', spec: { backend: 'claudeCode' as const, model: 'opus', role: 'general' }, status: 'busy', model: 'opus', totals: { usage: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, cost: { usd: 0, unpricedRequests: 0 } }, transcript: history };
    const request: TurnRequest = { instance, askId: 'x', history, target: { backend: 'claudeCode', model: 'opus' }, signal: new AbortController().signal };
    let seen: TurnRequest | undefined;
    await stage.stage(request, async (r) => ((seen = r), {} as TurnResult), () => undefined);
    assert.equal(seen, request, 'the very same request goes on');
    assert.equal(applied, 0);
  });

  it("shows Claude Code's compact_boundary as a note on the answer", () => {
    const notes: string[] = [];
    const reader = new TurnReader({ delta: () => undefined, note: (t) => notes.push(t) }, 0);
    reader.line({ type: 'system', subtype: 'init', session_id: 's1', model: 'claude-opus-4-5' });
    reader.line({ type: 'system', subtype: 'compact_boundary', compact_metadata: { trigger: 'auto', pre_tokens: 155000, post_tokens: 12000 } });
    reader.line({ type: 'system', subtype: 'compact_boundary', compact_metadata: { trigger: 'manual', pre_tokens: 40000 } });
    assert.deepEqual(notes, [
      'compressed: Claude Code compacted its context (automatically, 155,000 → 12,000 tokens)',
      'compressed: Claude Code compacted its context (on request, 40,000 tokens)',
    ]);
  });
});
