// Close calls at a budget cap settled by Claude's count_tokens: through the real SDK against the loopback fake, in a
// Fleet with the ledger stage outside the budget stage as the extension wires them. The decision follows the exact
// count both ways; a clear case or no cap never asks; a failing or silent count_tokens leaves the estimate to decide,
// with a note, and the ask still goes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { anthropicBudgetCounter, isCloseCall } from '../../src/core/cost/budgetCount';
import { Budgets, type BudgetCaps } from '../../src/core/cost/budgets';
import { defaultPrice } from '../../src/core/cost/cost';
import { ledgerStage, type LedgerRecord } from '../../src/core/cost/ledger';
import { estimateTokens } from '../../src/core/context/tokens';
import { emptyUsage } from '../../src/core/cost/usage';
import { FAKE_ANTHROPIC_KEY } from '../fixtures/anthropicFake';
import { HAIKU, until } from './helpers';
import { askFailure, record, withLedgerRig } from './ledgerRig';
import type { MixedFleetRig } from './mixedRig';

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-budget-count-');

/** A prompt of a few thousand tokens: its price is well above a rounding error. */
const PROMPT = 'The quick brown fox jumps over the lazy dog, and counts its tokens twice. '.repeat(500);
/** What the budget stage estimates for PROMPT on a fresh instance (no system prompt, one user message). */
const ESTIMATE = estimateTokens([{ role: 'user', text: PROMPT }], HAIKU);
/** Dollars for `tokens` of Haiku input: the ask's price with no output allowance. */
const usdOf = (tokens: number) => defaultPrice('anthropic', { ...emptyUsage(), input: tokens }, HAIKU).usd!;
const CAP = 1;

interface Rig {
  notes: string[];
  rows: () => Promise<LedgerRecord[]>;
  /** Spend on the books so that `room` dollars are left under the daily cap. */
  leave: (room: number) => Promise<void>;
}

async function rig(caps: Partial<BudgetCaps> = { dailyUsd: CAP }, countTimeoutMs?: number): Promise<Rig> {
  // Built as src/extension.ts builds it: through an Anthropic backend as configured there, with the SDK's default
  // retries (2), so "one try" below is the count's own doing.
  const countTokens = anthropicBudgetCounter([new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: () => r!.anthropic.url })]);
  const l = await start({
    stages: ({ ledger, treeRootOf }) => [
      ledgerStage(ledger, { treeRootOf }),
      new Budgets({ ledger, treeRootOf, outputAllowanceTokens: 0, caps: { warnAt: 2, ...caps }, countTokens, countTimeoutMs }).stage,
    ],
  });
  r = l.rig;
  const leave = (room: number) => l.ledger.append(record({ instance: 'someone-else', usd: CAP - room }));
  return { notes: l.notes, leave, rows: async () => (await l.rows()).filter((x) => x.instance === 'c') };
}

const failure = (p: Promise<unknown>) => askFailure(p, 'been refused');

/** The one count request the fake saw: accepted, for the model asked, with the prompt as its one message. */
function theCountRequest() {
  const counts = r!.anthropic.countRequests();
  assert.equal(counts.length, 1, 'one count_tokens request');
  const [req] = counts;
  assert.equal(req.refused, undefined, `the fake accepted it: ${JSON.stringify(req.refused)}`);
  assert.equal(req.body.model, HAIKU);
  assert.deepEqual(req.body.messages, [{ role: 'user', content: PROMPT }]);
  return req;
}

describe('budget close calls and count_tokens', () => {
  it('a close call the estimate would block goes through when the exact count fits, and the ledger says it was counted', async () => {
    const { leave, rows, notes } = await rig();
    const room = usdOf(ESTIMATE) / 1.1; // the estimate is 10% over the room: blocked on the estimate alone
    const exact = Math.floor(ESTIMATE * 0.8); // the count is 20% under it: it fits
    assert.ok(isCloseCall(usdOf(ESTIMATE), room, 0.25) && usdOf(exact) < room && usdOf(ESTIMATE) > room);
    await leave(room);
    r!.anthropic.countAnswer = exact;
    r!.anthropic.enqueue({ kind: 'reply', text: 'fits', usage: { input_tokens: exact, output_tokens: 1 } });
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('c', PROMPT)).text, 'fits');
    theCountRequest();
    assert.equal(r!.anthropic.messageRequests().length, 1);
    const [row] = await rows();
    assert.deepEqual([row.outcome, row.estimatedInput, row.estimateSource], ['ok', exact, 'count_tokens']);
    assert.deepEqual(notes, []);
  });

  it('a close call the estimate would let through is blocked when the exact count crosses the cap', async () => {
    const { leave, rows } = await rig();
    const room = usdOf(ESTIMATE) * 1.1; // the estimate fits with 10% to spare
    const exact = Math.ceil(ESTIMATE * 1.3); // the count does not
    assert.ok(isCloseCall(usdOf(ESTIMATE), room, 0.25) && usdOf(exact) > room && usdOf(ESTIMATE) < room);
    await leave(room);
    r!.anthropic.countAnswer = exact;
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    const e = await failure(r!.fleet.ask('c', PROMPT));
    assert.equal(e.kind, 'budget_exceeded');
    assert.match(e.message, /^The daily cap of \$1\.00 would be crossed: .* Nothing was sent\.$/);
    theCountRequest();
    assert.equal(r!.anthropic.messageRequests().length, 0, 'nothing was sent');
    const [row] = await rows();
    assert.deepEqual([row.outcome, row.estimatedInput, row.estimateSource], ['blocked', exact, 'count_tokens']);
  });

  it('a clear case makes no count request, on either side of the cap', async () => {
    const { leave, rows } = await rig();
    await leave(usdOf(ESTIMATE) * 3); // far below the room
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('c', PROMPT);
    assert.equal(r!.anthropic.messageRequests().length, 1);
    await leave(usdOf(ESTIMATE) / 3 - usdOf(ESTIMATE) * 3 + CAP); // now far over what is left
    assert.equal((await failure(r!.fleet.ask('c', PROMPT))).kind, 'budget_exceeded');
    assert.equal(r!.anthropic.countRequests().length, 0, 'count_tokens was never asked');
    const first = (await rows())[0];
    assert.deepEqual([first.estimatedInput, first.estimateSource], [ESTIMATE, 'estimate']);
  });

  it('no cap at all never asks count_tokens', async () => {
    await rig({});
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('c', PROMPT);
    assert.equal(r!.anthropic.messageRequests().length, 1);
    assert.equal(r!.anthropic.countRequests().length, 0);
  });

  it('a count_tokens 500 leaves the close call to the estimate, says so, and the ask is still sent', async () => {
    const { leave, notes, rows } = await rig();
    await leave(usdOf(ESTIMATE) * 1.1);
    r!.anthropic.countFault = { kind: 'status', status: 500 };
    r!.anthropic.enqueue({ kind: 'reply', text: 'sent anyway', usage: { input_tokens: ESTIMATE, output_tokens: 1 } });
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('c', PROMPT)).text, 'sent anyway');
    assert.equal(r!.anthropic.countRequests().length, 1, 'one try, no SDK retries');
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], /^This ask is close to a budget cap and Claude's count_tokens failed: The Anthropic API failed: fake 500, so it was checked on the estimate \(~ \d+ prompt tokens\)\.$/);
    const [row] = await rows();
    assert.deepEqual([row.outcome, row.estimatedInput, row.estimateSource], ['ok', ESTIMATE, 'estimate']);
  });

  it('a count_tokens that never answers is given up after the timeout; the estimate decides (here: blocked)', async () => {
    const { leave, notes } = await rig(undefined, 200);
    await leave(usdOf(ESTIMATE) / 1.1);
    r!.anthropic.countFault = { kind: 'hang' };
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    const e = await failure(r!.fleet.ask('c', PROMPT));
    assert.equal(e.kind, 'budget_exceeded');
    assert.equal(r!.anthropic.messageRequests().length, 0);
    const [count] = r!.anthropic.countRequests();
    await until(() => count.abandoned, 'the client hung up on the silent count');
    assert.deepEqual(notes, [`This ask is close to a budget cap and Claude's count_tokens did not answer within 0.2 s, so it was checked on the estimate (~ ${ESTIMATE} prompt tokens).`]);
  });

  it('a count_tokens that never answers does not lose the ask the estimate lets through', async () => {
    const { leave, notes } = await rig(undefined, 200);
    await leave(usdOf(ESTIMATE) * 1.1);
    r!.anthropic.countFault = { kind: 'hang' };
    r!.anthropic.enqueue({ kind: 'reply', text: 'still here', usage: { input_tokens: ESTIMATE, output_tokens: 1 } });
    r!.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('c', PROMPT)).text, 'still here');
    assert.equal(notes.length, 1);
    assert.match(notes[0], /did not answer within 0\.2 s/);
  });
});

describe('the fake count_tokens endpoint is strict', () => {
  it('refuses what only a message request takes, and a wrong key, as the real API does', async () => {
    await rig({});
    const post = (body: unknown, key = FAKE_ANTHROPIC_KEY) =>
      fetch(`${r!.anthropic.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
    const ok = await post({ model: HAIKU, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.status, 200);
    assert.ok(Number.isInteger(((await ok.json()) as { input_tokens: number }).input_tokens));
    const extra = await post({ model: HAIKU, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(extra.status, 400);
    assert.match(JSON.stringify(await extra.json()), /max_tokens: Extra inputs are not permitted/);
    assert.equal((await post({ model: HAIKU, messages: [] })).status, 400);
    assert.equal((await post({ model: HAIKU, messages: [{ role: 'user', content: 'hi' }] }, 'sk-ant-wrong')).status, 401);
  });
});
