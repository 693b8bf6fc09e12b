// The usage export: one CSV row per record under a header, RFC 4180 quoting of commas, quotes and newlines, absent
// costs as empty cells (never 0), formula-looking text defused, and JSON that round-trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerRecord } from '../../src/core/cost/ledger';
import { CSV_HEADER, csvField, recordsToCsv, recordsToJson } from '../../src/vscode/dashboard/ledgerExport';

function rec(at: number, o: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    v: 1, at, instance: 'a', tree: 'a', backend: 'anthropic', model: 'claude-haiku-4-5', askId: `ask-${at}`, attempt: 0,
    input: 10, output: 5, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0.001, basis: 'table', priceVersion: 'test', savedUsd: 0, latencyMs: 100, outcome: 'ok', ...o,
  };
}

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

  it('writes just the header for no records', () => {
    assert.deepEqual(parseCsv(recordsToCsv([])), [CSV_HEADER]);
  });
});

describe('JSON export', () => {
  it('round-trips the records', () => {
    const records = [rec(1), rec(2, { fallbackFrom: { backend: 'openai', model: 'x' } })];
    assert.deepEqual(JSON.parse(recordsToJson(records)), records);
  });
});
