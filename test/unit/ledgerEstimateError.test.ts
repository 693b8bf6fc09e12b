// The token estimate's error against reported usage, per model family, as the ledger's query and the dashboard give
// it, against figures computed by hand. The reported prompt is input + cache reads + cache writes (5m and 1h).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ledger, type LedgerRecord } from '../../src/core/cost/ledger';
import { estimateErrors, periodRange } from '../../src/core/cost/ledgerQuery';
import { isLedgerRecord } from '../../src/core/cost/ledgerRecord';
import { loadDashboard } from '../../src/vscode/dashboard/dashboardData';

const now = Date.now();
const lastMonth = (() => {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth() - 1, 15, 12).getTime();
})();

type Part = Partial<LedgerRecord> & Pick<LedgerRecord, 'backend' | 'model'>;
const record = (p: Part, i: number): LedgerRecord => ({
  v: 1, at: now, instance: 'i', tree: 'i', askId: `a${i}`, attempt: 0,
  input: 0, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, basis: 'table', usd: 0.001, priceVersion: 't', latencyMs: 1, outcome: 'ok',
  ...p,
});

const PARTS: Part[] = [
  // claude: 110 against 50 + 40 read + 10 written = 100: 10%
  { backend: 'anthropic', model: 'claude-haiku-4-5', estimatedInput: 110, input: 50, cacheRead: 40, cacheWrite5m: 10 },
  // claude (Claude Code): 80 against 20 + 80 written for an hour = 100: 20%
  { backend: 'claudeCode', model: 'claude-sonnet-4-5', estimatedInput: 80, input: 20, cacheWrite1h: 80 },
  // claude, no estimate: not compared
  { backend: 'anthropic', model: 'claude-haiku-4-5', input: 999 },
  // claude, blocked (nothing reported): not compared
  { backend: 'anthropic', model: 'claude-haiku-4-5', estimatedInput: 50, outcome: 'blocked', basis: 'none', usd: undefined },
  // openai: 200 against 150 uncached + 50 cached (the edge already took the cached ones out of the prompt count): 0%
  { backend: 'openai', model: 'gpt-4o-mini', estimatedInput: 200, input: 150, cacheRead: 50 },
  // other (a server's own model behind the OpenAI-compatible backend): 90 against 100: 10%
  { backend: 'openai', model: 'mistral-large-latest', estimatedInput: 90, input: 100 },
  // ollama: 30 against 20: 50%
  { backend: 'ollama', model: 'qwen2.5:7b', estimatedInput: 30, input: 20, basis: 'local', usd: 0 },
  // claude, last month: 300 against 100: 200%
  { backend: 'anthropic', model: 'claude-haiku-4-5', estimatedInput: 300, input: 100, at: lastMonth },
];

describe('the token estimate error by model family', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-fleet-esterr-'));
    const ledger = new Ledger({ dir });
    for (const [i, p] of PARTS.entries()) await ledger.append(record(p, i));
    await ledger.flush();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const ALL_TIME = [
    { family: 'claude', count: 3, meanAbsPctError: (10 + 20 + 200) / 3 },
    { family: 'openai', count: 1, meanAbsPctError: 0 },
    { family: 'ollama', count: 1, meanAbsPctError: 50 },
    { family: 'other', count: 1, meanAbsPctError: 10 },
  ];
  const near = (actual: readonly { family: string; count: number; meanAbsPctError: number }[], expected: typeof ALL_TIME) => {
    assert.deepEqual(actual.map((x) => [x.family, x.count]), expected.map((x) => [x.family, x.count]));
    for (const [i, x] of actual.entries()) assert.ok(Math.abs(x.meanAbsPctError - expected[i].meanAbsPctError) < 1e-9, `${x.family}: ${x.meanAbsPctError}`);
  };

  // As the dashboard asks it (dashboardData.ts): a by-family summary of a range, read by estimateErrors.
  const byFamily = async (ledger: Ledger, range: { from: number; to: number }) => estimateErrors(await ledger.summarize({ ...range, groupBy: 'family' }));
  for (const useIndex of [true, false]) {
    it(`last and this month, and this month alone, ${useIndex ? 'from the per-month summaries' : 'from the records'}`, async () => {
      const ledger = new Ledger({ dir, useIndex });
      near(await byFamily(ledger, { from: periodRange('month', lastMonth).from, to: periodRange('month', now).to }), ALL_TIME);
      near(await byFamily(ledger, periodRange('month', now)), [{ family: 'claude', count: 2, meanAbsPctError: 15 }, ...ALL_TIME.slice(1)]);
    });
  }

  it('the dashboard shows the period’s figures', async () => {
    const view = await loadDashboard(new Ledger({ dir }), 'month', now, {});
    near(view.estimateError, [{ family: 'claude', count: 2, meanAbsPctError: 15 }, ...ALL_TIME.slice(1)]);
    const empty = await loadDashboard(new Ledger({ dir: join(dir, 'none') }), 'day', now, {});
    assert.deepEqual(empty.estimateError, []);
  });

  it('a record whose estimate is not a count is corrupt, and skipped', () => {
    assert.equal(isLedgerRecord(record({ backend: 'anthropic', model: 'm', estimatedInput: -1 }, 0)), false);
    assert.equal(isLedgerRecord(record({ backend: 'anthropic', model: 'm', estimatedInput: 12 }, 0)), true);
  });
});
