// The ledger's files: appends that lose nothing (in one process, and from two at once), monthly rotation, a torn
// last line repaired, corrupt lines skipped and reported, and the per-month index agreeing with a full scan.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Ledger, type LedgerProblem, type LedgerRecord } from '../../src/core/cost/ledger';

/** A record with round figures; tests override what they look at. */
function rec(at: number, o: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    v: 1, at, instance: 'a', tree: 'a', backend: 'anthropic', model: 'claude-haiku-4-5', askId: `ask-${at}`, attempt: 0,
    input: 10, output: 5, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, usd: 0.001, basis: 'table', priceVersion: 'test', savedUsd: 0, latencyMs: 100, outcome: 'ok', ...o,
  };
}

// Run as a child (see "two processes"): append records as fast as possible, then exit.
if (process.env.LEDGER_CHILD_DIR) {
  const ledger = new Ledger({ dir: process.env.LEDGER_CHILD_DIR });
  const who = process.env.LEDGER_CHILD_NAME!;
  const at = Number(process.env.LEDGER_CHILD_AT);
  void (async () => {
    // Both children start once both are up, and pause between rounds, so their writes really overlap.
    writeFileSync(join(process.env.LEDGER_CHILD_DIR!, `ready-${who}`), '');
    while (readdirSync(process.env.LEDGER_CHILD_DIR!).filter((f) => f.startsWith('ready-')).length < 2) await new Promise((r) => setTimeout(r, 5));
    for (let round = 0; round < 20; round++) {
      await new Promise((r) => setTimeout(r, 1));
      await Promise.all(Array.from({ length: 250 }, (_, i) => ledger.append(rec(at, { instance: who, askId: `${who}-${round}-${i}`, model: 'x'.repeat(200 + i) }))));
    }
    process.exit(0);
  })();
} else {
  const JAN_15 = new Date(2026, 0, 15, 12).getTime();
  let dir: string;
  let problems: LedgerProblem[];
  let clock: number;
  const ledger = (o: { useIndex?: boolean; tornGraceMs?: number } = {}) => new Ledger({ dir, onProblem: (p) => problems.push(p), now: () => clock, ...o });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-fleet-ledger-'));
    problems = [];
    clock = JAN_15;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  /** Sums added in another order differ in the last bits of a double; dollars agree to the nano-dollar. */
  const rounded = (x: unknown): unknown =>
    typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rounded(v)])) : x;
  const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean);

  describe('ledger storage', () => {
    it('1,000 concurrent appends lose none, each a whole line', async () => {
      const l = ledger();
      await Promise.all(Array.from({ length: 1000 }, (_, i) => l.append(rec(JAN_15 + i, { askId: `ask-${i}` }))));
      const written = lines('ledger-2026-01.jsonl').map((s) => JSON.parse(s) as LedgerRecord);
      assert.equal(written.length, 1000);
      assert.equal(new Set(written.map((r) => r.askId)).size, 1000);
      assert.deepEqual(written.map((r) => r.at), Array.from({ length: 1000 }, (_, i) => JAN_15 + i), 'in the order they were appended');
      assert.equal((await l.query({ period: 'day' })).total.records, 1000);
      assert.deepEqual(problems, []);
    });

    it('two processes appending at once interleave whole lines only', async () => {
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const children = ['w1', 'w2'].map((name) =>
        spawn(process.execPath, ['--import', 'tsx', __filename], { env: { ...env, LEDGER_CHILD_DIR: dir, LEDGER_CHILD_NAME: name, LEDGER_CHILD_AT: String(JAN_15) }, stdio: 'inherit' }),
      );
      const codes = await Promise.all(children.map((c) => once(c, 'exit').then(([code]) => code)));
      assert.deepEqual(codes, [0, 0]);
      const written = lines('ledger-2026-01.jsonl').map((s) => JSON.parse(s) as LedgerRecord);
      assert.equal(written.length, 10_000);
      assert.equal(new Set(written.map((r) => r.askId)).size, 10_000);
      const switches = written.filter((r, i) => i > 0 && r.instance !== written[i - 1].instance).length;
      assert.ok(switches >= 2, `the two writers' batches interleaved in the file (${switches} switches)`);
      const month = await ledger().query({ period: 'month', groupBy: 'instance' });
      assert.deepEqual([month.groups!.w1.records, month.groups!.w2.records], [5000, 5000]);
      assert.deepEqual(problems, []);
    });

    it('rotates by local month: the last second of January and the first of February go to two files', async () => {
      const l = ledger();
      const lastOfJan = new Date(2026, 0, 31, 23, 59, 59).getTime();
      const firstOfFeb = new Date(2026, 1, 1, 0, 0, 1).getTime();
      await l.append(rec(lastOfJan, { usd: 1 }));
      await l.append(rec(firstOfFeb, { usd: 2 }));
      assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort(), ['ledger-2026-01.jsonl', 'ledger-2026-02.jsonl']);
      assert.equal((await l.query({ period: 'month', at: JAN_15 })).total.usd, 1);
      assert.equal((await l.query({ period: 'month', at: firstOfFeb })).total.usd, 2);
      assert.equal((await l.query({ period: 'day', at: lastOfJan })).total.usd, 1);
      // Saturday the 31st and Sunday the 1st are one week (Monday 26 January to Monday 2 February), across both files.
      assert.equal((await l.query({ period: 'week', at: lastOfJan })).total.usd, 3);
      assert.equal((await l.query({ period: 'week', at: new Date(2026, 1, 2, 0, 0, 0).getTime() })).total.records, 0, 'Monday starts the next week');
      assert.deepEqual(await l.months(), ['2026-01', '2026-02']);
    });

    it('a torn last line (a crash mid-write) is cut away on load, reported, and the next append starts clean', async () => {
      const l = ledger({ tornGraceMs: 0 });
      await Promise.all([1, 2, 3].map((i) => l.append(rec(JAN_15 + i))));
      const file = join(dir, 'ledger-2026-01.jsonl');
      const good = statSync(file).size;
      appendFileSync(file, JSON.stringify(rec(JAN_15 + 4)).slice(0, 40));
      assert.equal((await l.query({ period: 'day' })).total.records, 3);
      assert.equal(statSync(file).size, good, 'truncated back to the last whole line');
      assert.deepEqual(problems.map((p) => p.kind), ['torn']);
      assert.match(problems[0].message, /ledger-2026-01\.jsonl ended in a cut-off line \(40 bytes/);
      await l.append(rec(JAN_15 + 5));
      assert.equal(lines('ledger-2026-01.jsonl').length, 4);
      assert.equal((await ledger({ useIndex: false }).query({ period: 'day' })).total.records, 4);
      assert.equal(problems.length, 1, 'nothing else went wrong');
    });

    it('a fresh cut-off line may be another window still writing: it is left alone, and an append is not glued to it', async () => {
      const l = ledger();
      await l.append(rec(JAN_15 + 1));
      const file = join(dir, 'ledger-2026-01.jsonl');
      appendFileSync(file, '{"v":1,"at":');
      assert.equal((await l.query({ period: 'day' })).total.records, 1);
      assert.equal(problems.length, 0, 'not reported, not removed');
      await l.append(rec(JAN_15 + 2));
      assert.equal((await ledger({ useIndex: false }).query({ period: 'day' })).total.records, 2, 'the new record kept its own line');
      assert.deepEqual(problems.map((p) => p.kind), ['corrupt'], 'the stub, now a line of its own, is skipped');
    });

    it('a corrupt line is skipped and reported once, never fatal, by the index and by a scan alike', async () => {
      const l = ledger();
      await l.append(rec(JAN_15 + 1, { usd: 0.5 }));
      appendFileSync(join(dir, 'ledger-2026-01.jsonl'), 'not json at all\n{"v":1,"note":"valid JSON, not a record"}\n');
      await l.append(rec(JAN_15 + 2, { usd: 0.25 }));
      for (const useIndex of [true, false]) assert.equal((await ledger({ useIndex }).query({ period: 'day' })).total.usd, 0.75);
      assert.equal((await l.query({ period: 'day' })).total.usd, 0.75);
      const corrupt = problems.filter((p) => p.kind === 'corrupt');
      assert.ok(corrupt.length >= 2 && corrupt.every((p) => /Skipped a line of the usage ledger/.test(p.message)));
      assert.equal(new Set(corrupt.map((p) => p.message)).size, 2, 'two bad lines');
      assert.equal(problems.length, corrupt.length);
    });

    it('the per-month index agrees with a full scan, catches up with another writer, and is rebuilt when the file is replaced', async () => {
      const a = ledger();
      const b = ledger();
      const names = ['root', 'root-fork', 'other'];
      const models = ['claude-haiku-4-5-20251001', 'qwen2.5:7b'];
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          (i % 2 ? a : b).append(rec(new Date(2026, 0, 1 + (i % 28), i % 24).getTime(), { instance: names[i % 3], tree: i % 3 === 2 ? 'other' : 'root', model: models[i % 2], backend: i % 2 ? 'ollama' : 'anthropic', usd: i / 1000, cacheRead: i, outcome: i % 7 ? 'ok' : 'error' })),
        ),
      );
      const queries = [
        { period: 'month', groupBy: 'day' },
        { period: 'week', groupBy: 'tree' },
        { period: 'day', groupBy: 'model' },
        { period: 'month', tree: 'root', groupBy: 'instance' },
        { period: 'month', model: 'claude-haiku-4-5', groupBy: 'backend' },
        { period: 'month', instance: 'other', backend: 'anthropic' },
      ] as const;
      const scan = ledger({ useIndex: false });
      for (const q of queries) assert.deepEqual(rounded(await a.query(q)), rounded(await scan.query(q)), JSON.stringify(q));
      assert.ok((await readdir(dir)).includes('ledger-2026-01.index.json'));
      assert.equal((await a.query({ period: 'month', model: 'claude-haiku-4-5' })).total.records, 150, 'the dated id is found by its canonical name');

      await b.append(rec(JAN_15, { usd: 100 }));
      const before = (await scan.query({ period: 'month' })).total.usd;
      assert.equal(rounded((await a.query({ period: 'month' })).total.usd), rounded(before), 'a sees what b appended since');
      const c = ledger();
      assert.equal(rounded((await c.query({ period: 'month' })).total.usd), rounded(before), 'a new window reads the saved index');
      await b.append(rec(JAN_15, { usd: 50, instance: 'late' }));
      for (const q of [...queries, { period: 'month', groupBy: 'instance' } as const]) assert.deepEqual(rounded(await c.query(q)), rounded(await scan.query(q)), `after a late append: ${JSON.stringify(q)}`);

      writeFileSync(join(dir, 'ledger-2026-01.jsonl'), JSON.stringify(rec(JAN_15, { usd: 7 })) + '\n' + JSON.stringify(rec(JAN_15, { usd: 8, instance: 'x'.repeat(9000) })) + '\n');
      assert.equal((await a.query({ period: 'month' })).total.usd, 15, 'the summary no longer matched its file');
      assert.deepEqual(problems, []);
    });

    it('on a read-only file system: existing records are still read, a new one is reported lost', async () => {
      // Tests run as root, whom chmod does not stop; a read-only mount does.
      const mnt = join(dir, 'ro');
      mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
      try {
        const l = new Ledger({ dir: mnt, onProblem: (p) => problems.push(p), now: () => clock });
        await l.append(rec(JAN_15, { usd: 0.5 }));
        execFileSync('mount', ['-o', 'remount,ro', mnt]);
        await l.append(rec(JAN_15 + 1, { usd: 0.25 }));
        assert.deepEqual(problems.map((p) => p.kind), ['write']);
        assert.match(problems[0].message, /could not be written at .*ro\/ledger-2026-01\.jsonl: EROFS.*1 usage record was not saved/);
        assert.equal((await l.query({ period: 'day' })).total.usd, 0.5, 'the record already there still counts');
        assert.equal(problems.filter((p) => p.kind === 'index').length, 1, 'the summary cannot be saved either: said once');
      } finally {
        execFileSync('umount', [mnt]);
      }
    });

    it('a range that does not start at midnight is answered from the records, exactly', async () => {
      const l = ledger();
      await Promise.all([9, 10, 11, 12].map((h) => l.append(rec(new Date(2026, 0, 15, h).getTime(), { usd: h }))));
      const s = await l.summarize({ from: new Date(2026, 0, 15, 10).getTime(), to: new Date(2026, 0, 15, 12).getTime() });
      assert.equal(s.total.usd, 21);
    });
  });
}
