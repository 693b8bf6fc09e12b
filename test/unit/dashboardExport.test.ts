// The usage export: one CSV row per record under a header, RFC 4180 quoting of commas, quotes and newlines, absent
// costs as empty cells (never 0), formula-looking text defused, and JSON that round-trips.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ledger, type LedgerRecord } from '../../src/core/cost/ledger';
import { isLedgerRecord } from '../../src/core/cost/ledgerRecord';
import { CSV_HEADER, csvField, recordsToCsv, recordsToJson } from '../../src/vscode/dashboard/ledgerExport';

function rec(at: number, o: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    v: 1, at, instance: 'a', tree: 'a', backend: 'anthropic', model: 'claude-haiku-4-5', askId: `ask-${at}`, attempt: 0,
    input: 10, output: 5, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0.001, basis: 'table', priceVersion: 'test', savedUsd: 0, latencyMs: 100, outcome: 'ok', ...o,
  };
}

/**
 * A record with every field set. A new LedgerRecord field fails this type: give it a column in ledgerExport.ts
 * (COLUMNS) and a value here, so the export never drops it silently.
 */
const FULL: Required<LedgerRecord> = {
  v: 1, at: Date.UTC(2026, 10, 25, 9), instance: 'ada', tree: 'root', backend: 'claudeCode', model: 'claude-sonnet-4-5', askId: 'ask-full', attempt: 1,
  input: 11, output: 22, cacheWrite5m: 33, cacheWrite1h: 44, cacheRead: 55, usd: 0.125, basis: 'table', reportedUsd: 0.25, mismatch: true,
  priceVersion: '2026-11.1', savedUsd: -0.0625, latencyMs: 1234, firstTokenMs: 321, outcome: 'error', errorKind: 'overloaded',
  fallbackFrom: { backend: 'anthropic', model: 'claude-haiku-4-5' }, reason: 'fallback, after overloaded', override: 'budget', estimatedInput: 150,
  estimateSource: 'count_tokens',
};

/** Each field's CSV column(s) and the text each should hold for FULL. */
const EXPECTED: Record<keyof LedgerRecord, Record<string, string>> = {
  v: { recordVersion: '1' }, at: { time: '2026-11-25T09:00:00.000Z', atMs: String(FULL.at) }, instance: { instance: 'ada' }, tree: { tree: 'root' },
  backend: { backend: 'claudeCode' }, model: { model: 'claude-sonnet-4-5' }, askId: { askId: 'ask-full' }, attempt: { attempt: '1' },
  input: { input: '11' }, output: { output: '22' }, cacheWrite5m: { cacheWrite5m: '33' }, cacheWrite1h: { cacheWrite1h: '44' }, cacheRead: { cacheRead: '55' },
  usd: { usd: '0.125' }, basis: { basis: 'table' }, reportedUsd: { reportedUsd: '0.25' }, mismatch: { mismatch: 'true' }, priceVersion: { priceVersion: '2026-11.1' },
  savedUsd: { savedUsd: '-0.0625' }, latencyMs: { latencyMs: '1234' }, firstTokenMs: { firstTokenMs: '321' }, outcome: { outcome: 'error' },
  errorKind: { errorKind: 'overloaded' }, fallbackFrom: { fallbackFromBackend: 'anthropic', fallbackFromModel: 'claude-haiku-4-5' },
  reason: { reason: 'fallback, after overloaded' }, override: { override: 'budget' }, estimatedInput: { estimatedInput: '150' },
  estimateSource: { estimateSource: 'count_tokens' },
};

/** A small RFC 4180 reader, so the test checks what a spreadsheet would see rather than the bytes we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += c;
  }
  return rows;
}

describe('CSV export', () => {
  it('has a header and exactly one row per record, even when fields hold newlines', () => {
    const records = [rec(1), rec(2, { instance: 'multi\nline', model: 'a,b' }), rec(3, { instance: 'say "hi"' })];
    const rows = parseCsv(recordsToCsv(records));
    assert.equal(rows.length, 1 + records.length);
    assert.deepEqual(rows[0], CSV_HEADER);
    for (const r of rows) assert.equal(r.length, CSV_HEADER.length);
    const col = (name: string) => CSV_HEADER.indexOf(name);
    assert.equal(rows[2][col('instance')], 'multi\nline');
    assert.equal(rows[2][col('model')], 'a,b');
    assert.equal(rows[3][col('instance')], 'say "hi"');
    assert.equal(rows[1][col('time')], new Date(1).toISOString());
  });

  it('quotes commas, quotes and newlines, and only those', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(0.25), '0.25');
    assert.equal(csvField(-0.5), '-0.5'); // a negative saving is a number, not a formula
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('@sum'), "'@sum");
  });

  it('leaves an unpriced cost empty rather than 0', () => {
    const rows = parseCsv(recordsToCsv([rec(1, { usd: undefined, basis: 'unpriced', savedUsd: undefined })]));
    assert.equal(rows[1][CSV_HEADER.indexOf('usd')], '');
    assert.equal(rows[1][CSV_HEADER.indexOf('basis')], 'unpriced');
  });

  it('has a column for every field of a record, each holding its value, and no other column', () => {
    const rows = parseCsv(recordsToCsv([FULL]));
    assert.equal(rows.length, 2);
    const got = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[1][i]]));
    const want = Object.assign({}, ...Object.values(EXPECTED)) as Record<string, string>;
    assert.deepEqual(got, want);
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(FULL).sort());
  });

  it('leaves the override and the estimate empty on a record without them', () => {
    const rows = parseCsv(recordsToCsv([rec(1), FULL]));
    const col = (name: string) => CSV_HEADER.indexOf(name);
    assert.deepEqual([rows[1][col('override')], rows[1][col('estimatedInput')], rows[1][col('reason')]], ['', '', '']);
    assert.deepEqual([rows[2][col('override')], rows[2][col('estimatedInput')]], ['budget', '150']);
  });

  it('writes one row per record of a real ledger, the torn and corrupt lines it skipped not among them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-fleet-export-'));
    try {
      const at = Date.now() - 60_000;
      const ledger = new Ledger({ dir, tornGraceMs: 0 });
      for (let i = 0; i < 25; i++) await ledger.append(rec(at + i, i % 5 === 0 ? { override: 'budget', estimatedInput: 100 + i } : { instance: `a,${i}\n"x"` }));
      await ledger.flush();
      const file = join(dir, (await readdir(dir)).find((f) => f.endsWith('.jsonl'))!);
      await appendFile(file, 'not json\n{"v":1,"at":');
      const records = await new Ledger({ dir, tornGraceMs: 0 }).records(at - 1, at + 1000);
      assert.equal(records.length, 25);
      const rows = parseCsv(recordsToCsv(records));
      assert.equal(rows.length, 1 + 25);
      assert.deepEqual(rows.slice(1).map((r) => r[CSV_HEADER.indexOf('askId')]), records.map((r) => r.askId));
      assert.equal(rows.filter((r) => r[CSV_HEADER.indexOf('override')] === 'budget').length, 5);
      assert.deepEqual(JSON.parse(recordsToJson(records)), records);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes just the header for no records', () => {
    assert.deepEqual(parseCsv(recordsToCsv([])), [CSV_HEADER]);
  });
});

describe('JSON export', () => {
  it('round-trips the records, every field included', () => {
    // An unpriced record as the ledger holds it: no usd key at all (JSON has no undefined to round-trip).
    const { usd: _, ...unpriced } = rec(3, { basis: 'unpriced', instance: 'say "hi"\n' });
    const records = [rec(1), rec(2, { fallbackFrom: { backend: 'openai', model: 'x' } }), FULL, unpriced];
    const back = JSON.parse(recordsToJson(records)) as LedgerRecord[];
    assert.deepEqual(back, records);
    assert.ok(back.every(isLedgerRecord), 'what is exported reads back as ledger records');
  });
});
