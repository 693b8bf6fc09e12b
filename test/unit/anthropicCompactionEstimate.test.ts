// The pre-flight estimate after the Anthropic API compacted: the API drops everything before the compaction block
// (build-with-claude/compaction.md), so the next request is counted from the block on, and the compacting answer's
// usage (which adds the compaction's own tokens) teaches the conversation's calibration nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiCountedHistory, compactionSupported } from '../../src/core/backends/anthropicCompaction';
import { estimateTokens } from '../../src/core/context/tokens';
import { PromptEstimates, promptMessages } from '../../src/core/cost/budgetEstimate';
import { emptyUsage } from '../../src/core/cost/usage';
import type { Message } from '../../src/core/transcript';
import type { TurnRequest } from '../../src/core/turn/types';

const MODEL = 'claude-sonnet-4-6';
const long = (i: number) => `Question ${i}: review this part of the log. ` + `line ${i}, a warning about the parser. `.repeat(400);
const SUMMARY = 'Summary of the conversation: the user is reviewing a build log; the parser warnings are the open issue.';

function history(turns: number, compactAt?: number, content: string | null = SUMMARY): Message[] {
  const out: Message[] = [];
  for (let i = 1; i <= turns; i++) {
    out.push({ id: `u${i}`, role: 'user', text: long(i), at: 0 } as Message);
    const answer = { id: `a${i}`, role: 'assistant', text: `Answer ${i}: noted.`, at: 0, status: 'complete', model: MODEL, backend: 'anthropic', latencyMs: 0 } as Record<string, unknown>;
    if (i === compactAt) answer.apiCompaction = { content, signature: 'sig', summarized: 2 * i - 1 };
    out.push(answer as unknown as Message);
  }
  return out;
}

function request(h: readonly Message[], compacting = true, model = MODEL): TurnRequest {
  const instance = { name: 'a', spec: { backend: 'anthropic', model: MODEL, role: 'general', systemPrompt: 'Be brief.' }, status: 'busy', model: MODEL, transcript: h };
  return {
    instance, askId: 'x', history: h, target: { backend: 'anthropic', model }, signal: new AbortController().signal,
    ...(compacting ? { contextManagement: { triggerTokens: 60_000, keepToolUses: 3, compactTriggerTokens: 60_000 } } : {}),
  } as unknown as TurnRequest;
}

const usage = (input: number) => ({ ...emptyUsage(), input, output: 10 });

describe('the estimate after an API compaction', () => {
  it('counts from the compaction block on: the summary, that answer, and what followed', () => {
    const h = [...history(6, 5), { id: 'u7', role: 'user', text: 'and now?', at: 0 } as Message];
    const counted = apiCountedHistory(h);
    assert.deepEqual(counted.map((m) => m.id), ['a5', 'u6', 'a6', 'u7']);
    assert.equal(counted[0].text, `${SUMMARY}\n\nAnswer 5: noted.`);
    const estimate = new PromptEstimates().estimate(request(h)).tokens;
    const compacted = estimateTokens(promptMessages(request(h)), MODEL);
    assert.equal(estimate, compacted);
    assert.ok(estimate < estimateTokens(h, MODEL) / 3, `estimate ${estimate}, whole ${estimateTokens(h, MODEL)}`);
    // About the summary, the sixth turn and the new ask, with the system prompt.
    const expected = estimateTokens([{ role: 'system', text: 'Be brief.' }, counted[0], ...h.slice(10)], MODEL);
    assert.equal(estimate, expected);
  });

  it('counts the whole transcript when the block does not go back (compaction off) or the compaction failed', () => {
    const h = history(6, 5);
    assert.equal(new PromptEstimates().estimate(request(h, false)).tokens, estimateTokens(promptMessages(request(h, false)), MODEL));
    assert.equal(promptMessages(request(h, false)).length, 13);
    // A fallback (or router) target the API does not compact for keeps contextManagement, but is sent everything.
    assert.ok(!compactionSupported('claude-haiku-4-5'));
    assert.equal(promptMessages(request(h, true, 'claude-haiku-4-5')).length, 13);
    const failed = history(6, 5, null);
    assert.equal(apiCountedHistory(failed), failed, 'a null summary is a no-op: all is still counted');
  });

  it("an answer that compacted is not learnt from: the next estimate is the same as if it had not been observed", () => {
    const seen = new PromptEstimates(1);
    const unseen = new PromptEstimates(1);
    for (let t = 1; t <= 3; t++) {
      const q = request(history(t - 1).concat({ id: `u${t}`, role: 'user', text: long(t), at: 0 } as Message));
      const reported = Math.round(estimateTokens(promptMessages(q), MODEL) * 1.1);
      seen.observe(q, usage(reported));
      unseen.observe(q, usage(reported));
    }
    // The fourth ask compacted: billed the compaction's whole input beside the compacted answer's.
    const fourth = request(history(3).concat({ id: 'u4', role: 'user', text: long(4), at: 0 } as Message));
    seen.observe(fourth, usage(200_000), true);
    const next = request([...history(4, 4), { id: 'u5', role: 'user', text: 'and now?', at: 0 } as Message]);
    assert.equal(seen.estimate(next).tokens, unseen.estimate(next).tokens);
    const learnt = new PromptEstimates(1);
    for (let t = 1; t <= 3; t++) {
      const q = request(history(t - 1).concat({ id: `u${t}`, role: 'user', text: long(t), at: 0 } as Message));
      learnt.observe(q, usage(Math.round(estimateTokens(promptMessages(q), MODEL) * 1.1)));
    }
    learnt.observe(fourth, usage(200_000));
    assert.notEqual(learnt.estimate(next).tokens, unseen.estimate(next).tokens, 'learning from it would skew the estimate');
  });

  it('compaction is asked for only on the models the docs list, dated snapshots included', () => {
    for (const m of ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-opus-5', 'claude-opus-4-6-20260205']) assert.ok(compactionSupported(m), m);
    for (const m of ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-5', 'claude-opus-5-5', 'gpt-4o']) assert.ok(!compactionSupported(m), m);
  });
});
