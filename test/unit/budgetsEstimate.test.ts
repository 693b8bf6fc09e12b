// The budget stage's pre-flight estimate: the exact tokenizer for OpenAI's models; for the others the plain estimate
// until a conversation has MIN_CALIBRATION_TURNS reported answers, then the calibrated one; the cached prefix priced
// as cache reads; the estimate reported for the ledger, which keeps it beside the reported prompt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens } from '../../src/core/context/tokens';
import { MIN_CALIBRATION_TURNS, PromptEstimates } from '../../src/core/cost/budgetEstimate';
import { Budgets } from '../../src/core/cost/budgets';
import { ledgerStage } from '../../src/core/cost/ledger';
import { estimateErrors } from '../../src/core/cost/ledgerQuery';
import { emptyUsage, promptTokens, type Usage } from '../../src/core/cost/usage';
import type { BackendKind } from '../../src/core/kinds';
import type { Message } from '../../src/core/transcript';
import type { TurnEvent, TurnRequest, TurnResult } from '../../src/core/turn/types';
import { HAIKU } from './helpers';
import { withLedgerRig } from './ledgerRig';

const TEXTS = [
  'Summarise the meeting notes: who owns the migration, the deadline, and whether IE11 support is dropped.',
  'The migration is owned by the platform team; the deadline is the end of the quarter; IE11 support is dropped.',
  'Now write the announcement for the engineering channel, two short paragraphs, no jargon please.',
  'Here it is. We are moving the build to the new platform by the end of the quarter, and IE11 goes away.',
  'Make it friendlier, and add a line on where to ask questions.',
  'Sure: questions go to the platform channel, where the team answers within a day.',
  'Thanks. Finally, translate it into German for the Berlin office.',
];

function request(history: readonly Message[], backend: BackendKind = 'anthropic', model = HAIKU): TurnRequest {
  return {
    instance: { name: 'i', spec: { backend, model, role: 'general' }, status: 'busy', model, totals: { usage: emptyUsage(), cost: { usd: 0, unpricedRequests: 0 } }, transcript: history },
    askId: `ask-${history.length}`,
    history,
    target: { backend, model },
    signal: new AbortController().signal,
  };
}

const msg = (i: number): Message =>
  i % 2 === 0 ? { id: `m${i}`, role: 'user', text: TEXTS[i], at: 0 } : { id: `m${i}`, role: 'assistant', backend: 'anthropic', text: TEXTS[i], at: 0, status: 'complete', model: HAIKU, latencyMs: 1 };
const historyOf = (n: number) => Array.from({ length: n }, (_, i) => msg(i));

describe('the budget estimate', () => {
  it('uses at least three reported turns, as the token bench measured (one overfits)', () => {
    assert.equal(MIN_CALIBRATION_TURNS, 3);
  });

  it("counts OpenAI's models with their tokenizer, from the first ask", () => {
    const h = historyOf(3);
    const e = new PromptEstimates().estimate(request(h, 'openai', 'gpt-4o'));
    assert.deepEqual(e, { tokens: estimateTokens(h, 'gpt-4o'), cached: 0, source: 'tokenizer' });
    assert.notEqual(e.tokens, estimateTokens(h), 'the tokenizer, not the character estimate');
  });

  it('stays plain until the third reported answer, then follows what the provider counts', () => {
    // A provider whose vocabulary needs 1.5 times the tokens of our character estimate, every time.
    const provider = (h: readonly Message[]) => Math.round(1.5 * estimateTokens(h, HAIKU));
    const est = new PromptEstimates();
    for (let turn = 0; turn < 3; turn++) {
      const h = historyOf(2 * turn + 1);
      const e = est.estimate(request(h));
      assert.deepEqual([e.source, e.tokens], ['estimate', estimateTokens(h, HAIKU)], `turn ${turn + 1}: plain`);
      est.observe(request(h), { ...emptyUsage(), input: provider(h) });
    }
    const next = historyOf(7);
    const e = est.estimate(request(next));
    assert.equal(e.source, 'calibrated');
    const truth = provider(next);
    const plainErr = Math.abs(estimateTokens(next, HAIKU) - truth) / truth;
    const calErr = Math.abs(e.tokens - truth) / truth;
    assert.ok(plainErr > 0.3, `plain is a third under: ${plainErr}`);
    assert.ok(calErr < 0.02, `calibrated within 2%: ${e.tokens} against ${truth} (${calErr})`);
  });

  it('the prefix the provider cached at the last answer is priced as cache reads', async () => {
    const budgets = new Budgets({ ledger: { query: async () => assert.fail(), summarize: async () => assert.fail(), months: async () => [], now: Date.now }, outputAllowanceTokens: 1000 });
    const events: TurnEvent[] = [];
    // Three answers, each reporting 4,000 prompt tokens of which 3,000 were read from the cache.
    const usage: Usage = { ...emptyUsage(), input: 1000, cacheRead: 3000, output: 10 };
    for (let n = 1; n <= 5; n += 2) {
      const req = request(historyOf(n));
      const result: TurnResult = { text: 'x', backend: 'anthropic', model: HAIKU, usage, cost: { usd: 0, basis: 'table' }, latencyMs: 1, attempts: [req.target] };
      await budgets.stage(req, async () => result, (e) => events.push(e));
    }
    assert.deepEqual(events.filter((e) => e.type === 'estimate').map((e) => (e as { inputTokens: number }).inputTokens), [1, 3, 5].map((n) => estimateTokens(historyOf(n), HAIKU)));
    const e = budgets.estimate(request(historyOf(7)));
    assert.equal(e.prompt.cached, 3000);
    // Haiku 4.5: $1/M input, $0.10/M cache read, $5/M output; 1,000 output tokens allowed.
    const byHand = ((e.inputTokens - 3000) * 1 + 3000 * 0.1 + 1000 * 5) / 1e6;
    assert.ok(Math.abs(e.usd - byHand) < 1e-12, `${e.usd} against ${byHand}`);
  });
});

describe('the estimate in the ledger, through a Fleet', () => {
  const start = withLedgerRig('llm-fleet-estimate-');

  it('each record holds the pre-flight estimate; from the fourth ask it is calibrated, and closer than the plain one', async () => {
    const { rig: r, ledger, rows } = await start({ stages: ({ ledger }) => [ledgerStage(ledger), new Budgets({ ledger }).stage] });
    r.fleet.spawn('e', { backend: 'anthropic', model: HAIKU });
    const seen: string[] = [];
    r.fleet.onDidTurnEvent((n) => seen.push(n.event.type));
    const plain: number[] = [];
    for (let i = 0; i < 4; i++) {
      plain.push(estimateTokens([...r.fleet.get('e').transcript, { role: 'user', text: TEXTS[2 * i] }], HAIKU));
      r.anthropic.enqueue({ kind: 'reply', text: TEXTS[2 * i + 1] });
      await r.fleet.ask('e', TEXTS[2 * i]);
    }
    const recs = await rows();
    assert.equal(recs.length, 4);
    assert.ok(seen.length > 0 && !seen.includes('estimate'), `the estimate is for the ledger, not the views: ${seen.join()}`);
    // The fake counts ~4 characters a token of the raw request body: the plain estimate is off by its JSON framing.
    assert.deepEqual(recs.slice(0, 3).map((x) => x.estimatedInput), plain.slice(0, 3));
    const reported = recs.map((x) => x.input + x.cacheRead + x.cacheWrite5m + x.cacheWrite1h);
    assert.deepEqual(reported, recs.map((x) => promptTokens({ ...emptyUsage(), ...x })));
    const err = (est: number, i: number) => Math.abs(est - reported[i]) / reported[i];
    assert.notEqual(recs[3].estimatedInput, plain[3], 'the fourth is calibrated');
    assert.ok(err(recs[3].estimatedInput!, 3) < err(plain[3], 3) / 2, `calibrated ${recs[3].estimatedInput}, plain ${plain[3]}, reported ${reported[3]}`);
    // And the ledger's query, as the dashboard reads it, gives the same mean error, per family.
    const mean = (recs.reduce((s, x, i) => s + err(x.estimatedInput!, i), 0) / 4) * 100;
    const [claude, ...others] = estimateErrors(await ledger.summarize({ from: 0, to: Date.now() + 1000, groupBy: 'family' }));
    assert.deepEqual(others, []);
    assert.deepEqual([claude.family, claude.count], ['claude', 4]);
    assert.ok(Math.abs(claude.meanAbsPctError - mean) < 1e-9, `${claude.meanAbsPctError} against ${mean}`);
  });
});
