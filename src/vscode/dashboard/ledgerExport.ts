/**
 * Ledger records as CSV (one row per record, a header first, RFC 4180 quoting) or JSON. Pure, for the unit tests.
 * An absent cost stays an empty cell, never 0: an unpriced request must not read as free in a spreadsheet. Every
 * field of a record has a column (test/unit/dashboardExport.test.ts fails to compile when one is added without).
 */
import type { LedgerRecord } from '../../core/cost/ledger';

type Cell = string | number | boolean | undefined;

const COLUMNS: ReadonlyArray<readonly [string, (r: LedgerRecord) => Cell]> = [
  ['time', (r) => new Date(r.at).toISOString()],
  ['atMs', (r) => r.at],
  ['instance', (r) => r.instance],
  ['tree', (r) => r.tree],
  ['backend', (r) => r.backend],
  ['model', (r) => r.model],
  ['askId', (r) => r.askId],
  ['attempt', (r) => r.attempt],
  ['outcome', (r) => r.outcome],
  ['errorKind', (r) => r.errorKind],
  ['input', (r) => r.input],
  ['output', (r) => r.output],
  ['cacheWrite5m', (r) => r.cacheWrite5m],
  ['cacheWrite1h', (r) => r.cacheWrite1h],
  ['cacheRead', (r) => r.cacheRead],
  ['usd', (r) => r.usd],
  ['basis', (r) => r.basis],
  ['reportedUsd', (r) => r.reportedUsd],
  ['mismatch', (r) => r.mismatch],
  ['savedUsd', (r) => r.savedUsd],
  ['priceVersion', (r) => r.priceVersion],
  ['latencyMs', (r) => r.latencyMs],
  ['firstTokenMs', (r) => r.firstTokenMs],
  ['fallbackFromBackend', (r) => r.fallbackFrom?.backend],
  ['fallbackFromModel', (r) => r.fallbackFrom?.model],
  ['reason', (r) => r.reason],
  /** `budget`: "Send anyway, once" sent this attempt past the caps. */
  ['override', (r) => r.override],
  /** The budget stage's pre-flight estimate of the prompt tokens, beside the reported ones above. */
  ['estimatedInput', (r) => r.estimatedInput],
  /** How it was made: `tokenizer`, `estimate`, `calibrated` (by reported usage) or `count_tokens` (Claude's endpoint). */
  ['estimateSource', (r) => r.estimateSource],
  ['recordVersion', (r) => r.v],
];

export const CSV_HEADER = COLUMNS.map(([name]) => name);

/**
 * One field. Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading
 * apostrophe: instance and model names are user- or server-chosen. Numbers are written as they are.
 */
export function csvField(v: Cell): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function recordsToCsv(records: readonly LedgerRecord[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => csvField(get(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function recordsToJson(records: readonly LedgerRecord[]): string {
  return JSON.stringify(records, null, 2) + '\n';
}
