// The default cap on the window compression is triggered against (llmFleet.compression.maxContextTokens): one value
// in the core's defaults and the settings mirror, and what it does to a long API conversation on a 200k model while
// Claude Code, which compacts its own context, is still never compressed by us.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionStage, DEFAULT_COMPRESSION, DEFAULT_MAX_CONTEXT_TOKENS } from '../../src/core/context/window';
import type { CompressionMark } from '../../src/core/context/summary';
import type { BackendKind } from '../../src/core/kinds';
import type { Message } from '../../src/core/transcript';
import type { TurnRequest, TurnResult } from '../../src/core/turn/types';
import { SETTINGS } from '../../src/vscode/settings';
import { question } from './compressionRig';

/** About 40,000 tokens of conversation: over 0.75 of the 48k cap, far under 0.75 of a 200k window. */
function longHistory(backend: BackendKind, model: string): Message[] {
  const answer = 'A long answer about the loader, its defaults and its tests. '.repeat(36);
  return Array.from({ length: 120 }, (_, i) =>
    i % 2 ? ({ id: `m${i}`, role: 'assistant', text: answer, at: 0, status: 'complete', model, backend, latencyMs: 0 } as Message) : ({ id: `m${i}`, role: 'user', text: question(i), at: 0 } as Message),
  );
}

async function runStage(backend: BackendKind, model: string, settings: Partial<typeof DEFAULT_COMPRESSION> = {}) {
  const marks: CompressionMark[] = [];
  // The summarizer is off so that the test needs no backend: a compression is then a sliding window.
  const stage = new CompressionStage({ backends: () => [], apply: (_n, m) => void marks.push(m), windowOf: async () => 200_000 });
  stage.configure({ summarizer: { kind: 'none' }, ...settings });
  const history = longHistory(backend, model);
  const instance = { name: 'long', spec: { backend, model, role: 'general' }, status: 'busy', model, totals: { usage: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, cost: { usd: 0, unpricedRequests: 0 } }, transcript: history };
  const request: TurnRequest = { instance, askId: 'x', history, target: { backend, model }, signal: new AbortController().signal };
  let sent: TurnRequest | undefined;
  await stage.stage(request, async (r) => ((sent = r), {} as TurnResult), () => undefined);
  return { request, sent: sent!, marks };
}

describe('compression defaults', () => {
  it('caps the window at 48,000 tokens, in the core and in the settings mirror of package.json', () => {
    assert.equal(DEFAULT_MAX_CONTEXT_TOKENS, 48_000);
    assert.equal(DEFAULT_COMPRESSION.maxContextTokens, DEFAULT_MAX_CONTEXT_TOKENS);
    assert.equal(SETTINGS['compression.maxContextTokens'], DEFAULT_MAX_CONTEXT_TOKENS);
  });

  it('compresses a long Anthropic API conversation on a 200k model once it passes 36,000 tokens', async () => {
    const { request, sent, marks } = await runStage('anthropic', 'claude-opus-4-5');
    assert.equal(marks.length, 1, 'compressed');
    assert.ok(marks[0].record.tokensBefore > 36_000 && marks[0].record.tokensBefore < 150_000, `${marks[0].record.tokensBefore} tokens before`);
    assert.ok(marks[0].record.tokensAfter <= 36_000, `${marks[0].record.tokensAfter} tokens after`);
    assert.ok(sent.history.length < request.history.length);
    assert.equal(sent.history.at(-1)!.text, request.history.at(-1)!.text, 'the latest message is kept');
  });

  it('maxContextTokens 0 uses the model’s own window: the same conversation goes whole', async () => {
    const { request, sent, marks } = await runStage('anthropic', 'claude-opus-4-5', { maxContextTokens: 0 });
    assert.equal(marks.length, 0);
    assert.equal(sent, request);
  });

  it('never compresses a Claude Code instance, with the default cap or any other', async () => {
    for (const maxContextTokens of [DEFAULT_MAX_CONTEXT_TOKENS, 1_000]) {
      const { request, sent, marks } = await runStage('claudeCode', 'opus', { maxContextTokens });
      assert.equal(marks.length, 0);
      assert.equal(sent, request, 'the very same request goes on');
    }
  });
});
