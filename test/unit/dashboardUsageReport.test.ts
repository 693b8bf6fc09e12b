// The usage report (LLM Fleet: Show Usage) from a real ledger: today's figure is the one the status bar and the
// dashboard show, per instance from the ledger's by-instance queries (killed instances included and marked), the
// month beside it, price table versions named, and unpriced requests counted, never $0.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Ledger, type LedgerRecord } from '../../src/core/cost/ledger';
import { loadDashboard } from '../../src/vscode/dashboard/dashboardData';
import { spendStatus } from '../../src/vscode/dashboard/spendStatus';
import { loadUsageReport, recordFacts } from '../../src/vscode/usageReport';

function rec(at: number, o: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    v: 1, at, instance: 'ada', tree: 'ada', backend: 'anthropic', model: 'claude-haiku-4-5', askId: `ask-${at}`, attempt: 0,
    input: 100, output: 50, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0.01, basis: 'table', priceVersion: '2026-11.1', savedUsd: 0, latencyMs: 100, outcome: 'ok', ...o,
  };
}

const NOW = new Date(2026, 10, 25, 15, 30).getTime(); // Wednesday 25 Nov 2026, local
const at = (d: number, h = 12) => new Date(2026, 10, d, h).getTime();

/** The report's table rows, as cells, for the section that starts with `heading`. */
function rows(md: string, heading: string): string[][] {
  const section = md.split('\n## ').find((s) => s.startsWith(heading));
  assert.ok(section, `a section "${heading}"`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Instance'))
    .map((l) => l.slice(2, -2).split(' | '));
}

describe('usage report from the ledger', () => {
  let dir: string;
  let ledger: Ledger;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-fleet-report-'));
    ledger = new Ledger({ dir, now: () => NOW });
    const records = [
      rec(at(25, 9), { usd: 0.5, savedUsd: 0.1, cacheRead: 300, input: 100, output: 40, model: 'claude-sonnet-4-5' }),
      rec(at(25, 10), { usd: 0.25, instance: 'gone', tree: 'gone', input: 12_000 }),
      rec(at(25, 11), { usd: undefined, basis: 'unpriced', backend: 'openai', model: 'mystery', instance: 'cy', tree: 'cy' }),
      rec(at(25, 12), { usd: 0.05, basis: 'override', backend: 'openai', model: 'priced-by-me', instance: 'cy', tree: 'cy' }),
      rec(at(24), { usd: 1, priceVersion: '2026-10.2' }),
      rec(at(2), { usd: 4, instance: 'gone', tree: 'gone' }),
      rec(new Date(2026, 9, 30).getTime(), { usd: 8, instance: 'old', tree: 'old' }), // October: in neither section
    ];
    for (const r of records) await ledger.append(r);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("gives today's spend exactly as the status bar and the dashboard do", async () => {
    const md = await loadUsageReport(ledger, ['ada', 'cy'], 5);
    const today = await ledger.query({ period: 'day' });
    const dash = await loadDashboard(ledger, 'day', NOW, { dailyUsd: 5 });
    assert.ok(Math.abs(today.total.usd - 0.8) < 1e-9);
    assert.equal(dash.totals.usd, today.total.usd);
    assert.match(spendStatus(today.total, 5).text, /^\$0\.80 \/ \$5\.00 today\+$/);
    assert.match(md, /## Today, [^\n]+\n\nSpent \*\*\$0\.8000 \+ 1 unpriced\*\*, of the \$5\.00 daily cap \(16%\)\. Requests: 4\. Saved by the cache: \$0\.1000; cache hit rate 2\.4%\./);
  });

  it('breaks today and the month down by instance, marking instances not in this window', async () => {
    const md = await loadUsageReport(ledger, ['ada', 'cy'], undefined);
    assert.deepEqual(rows(md, 'Today'), [
      ['ada', 'Anthropic API · claude\\-sonnet\\-4\\-5', '1', '100', '300', '0', '40', '$0.5000'],
      ['gone (not in this window)', 'Anthropic API · claude\\-haiku\\-4\\-5', '1', '12.0k', '0', '0', '50', '$0.2500'],
      ['cy', 'OpenAI\\-compatible · mystery, OpenAI\\-compatible · priced\\-by\\-me', '2', '200', '0', '0', '100', '$0.0500 + 1 unpriced'],
    ]);
    // The month: 'gone' spent $4 on the 2nd; October's record is not in it.
    assert.deepEqual(rows(md, 'November 2026').map((r) => [r[0], r[1], r[2], r[7]]), [
      ['gone (not in this window)', 'Anthropic API · claude\\-haiku\\-4\\-5', '2', '$4.25'],
      ['ada', 'Anthropic API · claude\\-haiku\\-4\\-5, Anthropic API · claude\\-sonnet\\-4\\-5', '2', '$1.50'],
      ['cy', 'OpenAI\\-compatible · mystery, OpenAI\\-compatible · priced\\-by\\-me', '2', '$0.0500 + 1 unpriced'],
    ]);
    assert.doesNotMatch(md, /old/);
    assert.doesNotMatch(md, /of the \$[\d.]+ daily cap/, 'no cap set, none named');
  });

  it('says the figures come from the ledger, with the price table versions of the records', async () => {
    const md = await loadUsageReport(ledger, [], undefined);
    assert.ok(md.includes(`Figures from the usage ledger (${dir.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`)})`));
    assert.match(md, /Prices of this month's records: price table 2026\\-11\\\.1 \(3 records\), 2026\\-10\\\.2 \(1 record\); 1 record at your own prices/);
    assert.deepEqual(recordFacts([rec(1, { basis: 'local', usd: 0, backend: 'ollama', model: 'qwen' })]).priceVersions, {}, 'a local model was not priced from the table');
  });

  it('says so when nothing is recorded, without inventing a $0 row', async () => {
    const empty = new Ledger({ dir: join(dir, 'none'), now: () => NOW });
    const md = await loadUsageReport(empty, ['ada'], undefined);
    assert.match(md, /Spent \*\*\$0\*\*\. Requests: 0\./);
    assert.equal(rows(md, 'Today').length, 0);
    assert.match(md, /No requests\./);
    assert.match(md, /Nothing recorded this month yet/);
    assert.match(md, /none from the price table/);
  });
});
