// What a compression summary costs, and when it is not made: the turn's cancel aborts the summarizer's request at
// once (nothing applied, the turn cancelled); a summary billed and then refused or broken off is still on the ledger;
// and a summary the budget caps cannot afford is not asked for: the sliding window is used, and the chat says so.
// Through a real Fleet, the real Anthropic SDK against the loopback fake, a real Ledger and the real budget stage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetAdmit } from '../../src/core/context/summaryAdmission';
import { latestCompression } from '../../src/core/context/summary';
import { summaryRecord } from '../../src/core/context/summaryRecord';
import { Budgets } from '../../src/core/cost/budgets';
import { Ledger, ledgerStage, type LedgerRecord } from '../../src/core/cost/ledger';
import { AskFailedError } from '../../src/core/instance';
import type { AskHandle } from '../../src/core/askHandle';
import type { Behaviour } from '../fixtures/anthropicFake';
import { compressionRig, isSummarizer, question, type CompressionRig } from './compressionRig';
import { HAIKU, tempDir, until } from './helpers';

const OPUS = 'claude-opus-4-5';

/** Asks question after question until one of them makes the stage ask the summarizer; returns that ask. */
async function askUntilSummarizing(r: CompressionRig, name: string): Promise<{ handle: AskHandle; i: number }> {
  for (let i = 1; i <= 20; i++) {
    const handle = r.fleet.ask(name, question(i));
    await until(() => handle.settled || r.summaries().length > 0, `turn ${i} to end or to ask the summarizer`);
    if (r.summaries().length > 0) return { handle, i };
    await handle;
  }
  throw new Error('the summarizer was never asked');
}

async function failure(handle: AskHandle): Promise<unknown> {
  return handle.then(() => assert.fail('the ask should have failed'), (e: unknown) => e);
}

describe('compression: the turn’s cancel stops the summarizer', () => {
  it('a model summarizer: its request is aborted at once, nothing is applied, the turn ends cancelled, the billed prompt is recorded', async () => {
    // The fake opens the summary's stream (message_start: the prompt is billed) and then sends nothing more.
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: HAIKU } }, { window: 1200, summary: () => ({ kind: 'hang', after: 1 }) });
    try {
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      const { handle, i } = await askUntilSummarizing(r, 'a');
      const [summarizing] = r.summaries();
      await until(() => r.summaryDeltas() === 1, 'the summary’s stream to reach the client');
      assert.equal(summarizing.abandoned, false, 'the summary is being made');
      assert.equal(r.fleet.cancel('a'), true);
      const error = await failure(handle);
      assert.ok(error instanceof AskFailedError, String(error));
      assert.equal(error.kind, 'cancelled');
      await until(() => summarizing.abandoned, 'the fake to see the summarizer’s connection closed');
      assert.equal(r.turns().length, i - 1, 'the cancelled turn was never sent');
      assert.equal(r.fake.messageRequests().length, i, 'no further work after the cancel');
      assert.equal(latestCompression(r.fleet.get('a').transcript), undefined, 'no compression was applied');
      assert.equal(r.fleet.get('a').transcript.filter((m) => m.compressedBy).length, 0);
      // Billed at message_start: the prompt's tokens are on the ledger as a cancelled summary.
      assert.equal(r.bills.length, 1);
      const record = summaryRecord('a', 'a', r.bills[0].askId, r.bills[0].bill);
      assert.equal(record.outcome, 'cancelled');
      assert.equal(record.input, summarizing.usage!.input_tokens);
      assert.ok(record.input > 0 && record.usd !== undefined && record.usd > 0);
      // The instance is free again: the next ask compresses and answers.
      r.fake.fallback = (req, n) => (isSummarizer(req) ? { kind: 'reply', text: 'Summary. '.repeat(40) } : { kind: 'reply', text: `#${n} answer` });
      await r.fleet.ask('a', question(i + 1));
      assert.equal(latestCompression(r.fleet.get('a').transcript)?.mode, 'summary');
    } finally {
      await r.close();
    }
  });

  it('an instance as the summarizer: its ask is cancelled with the turn', async () => {
    const r = await compressionRig({ keepTurns: 1, summarizer: { kind: 'instance', name: 'scribe' } }, { window: 1200 });
    try {
      const fallback = r.fake.fallback;
      r.fake.fallback = (req, n) => (req.body.model === OPUS ? { kind: 'hang' } : typeof fallback === 'function' ? fallback(req, n) : fallback);
      r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      r.fleet.spawn('scribe', { backend: 'anthropic', model: OPUS });
      let scribeAsked = false;
      for (let i = 1; i <= 20 && !scribeAsked; i++) {
        const handle = r.fleet.ask('a', question(i));
        await until(() => handle.settled || r.fleet.get('scribe').status === 'busy', `turn ${i} to end or the scribe to be asked`);
        if (!handle.settled) {
          scribeAsked = true;
          await until(() => r.fake.messageRequests().some((q) => q.body.model === OPUS), 'the scribe’s request to reach the fake');
          r.fleet.cancel('a');
          const error = await failure(handle);
          assert.ok(error instanceof AskFailedError && error.kind === 'cancelled', String(error));
        } else await handle;
      }
      assert.ok(scribeAsked);
      const scribeRequest = r.fake.messageRequests().find((q) => q.body.model === OPUS)!;
      await until(() => scribeRequest.abandoned, 'the scribe’s request to be aborted');
      await until(() => r.fleet.get('scribe').status === 'idle', 'the scribe to be idle again');
      assert.equal(latestCompression(r.fleet.get('a').transcript), undefined);
    } finally {
      await r.close();
    }
  });
});

/** A rig whose summaries go to a real ledger, as src/vscode/compression.ts records them. */
async function ledgerRig(summary: (n: number) => Behaviour, summarizer = HAIKU) {
  const dir = await tempDir();
  const ledger = new Ledger({ dir: dir.path });
  const r = await compressionRig(
    { keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: summarizer } },
    { window: 1200, summary, deps: () => ({ recordSummary: (instance, askId, bill) => void ledger.append(summaryRecord(instance, instance, askId, bill)) }) },
  );
  const summaryRecords = async (): Promise<LedgerRecord[]> => (await ledger.records(0, Date.now() + 60_000)).filter((x) => x.askId.endsWith(':summary'));
  return { r, ledger, summaryRecords, close: async () => (await r.close(), await dir.remove()) };
}

describe('compression: every billed summary is on the ledger', () => {
  it('a summary refused as too short: recorded with its usage, as refused', async () => {
    const t = await ledgerRig(() => ({ kind: 'reply', text: 'Talked about config.' }));
    try {
      t.r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
      for (let i = 1; i <= 6; i++) await t.r.fleet.ask('a', question(i));
      const asked = t.r.summaries();
      assert.ok(asked.length >= 1);
      const records = await t.summaryRecords();
      assert.equal(records.length, asked.length, 'one record per summary asked');
      const [record] = records;
      assert.equal(record.outcome, 'error');
      assert.match(record.reason!, /^compression summary refused: the summarizer's summary was too short \(20 characters, at least 200 wanted\)$/);
      assert.equal(record.input, asked[0].usage!.input_tokens);
      assert.equal(record.output, asked[0].usage!.output_tokens);
      assert.ok(record.usd !== undefined && record.usd > 0, 'priced, not dropped');
      assert.equal(latestCompression(t.r.fleet.get('a').transcript)?.mode, 'window');
    } finally {
      await t.close();
    }
  });

  for (const [what, behaviour, kind] of [
    ['the stream dropped after message_start', { kind: 'cut', after: 3 }, 'network'],
    ['an error event after usage was reported', { kind: 'errorEvent', after: 2 }, 'overloaded'],
  ] as const) {
    it(`a summary that failed mid-stream (${what}): recorded with the usage reported, as failed`, async () => {
      const t = await ledgerRig(() => behaviour);
      try {
        t.r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
        for (let i = 1; i <= 6; i++) await t.r.fleet.ask('a', question(i));
        const asked = t.r.summaries();
        assert.ok(asked.length >= 1);
        const records = await t.summaryRecords();
        assert.equal(records.length, asked.length);
        const [record] = records;
        assert.equal(record.outcome, 'error');
        assert.equal(record.errorKind, kind);
        assert.match(record.reason!, /^compression summary failed: the summarizer anthropic\/claude-haiku-4-5 failed: /);
        assert.equal(record.input, asked[0].usage!.input_tokens, 'the prompt message_start reported');
        assert.ok(record.input > 0 && record.usd !== undefined && record.usd > 0);
        const mark = latestCompression(t.r.fleet.get('a').transcript)!;
        assert.equal(mark.mode, 'window');
        assert.match(mark.note!, /failed: .*; the sliding window was used instead$/);
      } finally {
        await t.close();
      }
    });
  }
});

describe('compression: the summary is put to the budget caps first', () => {
  /** The pipeline's order after compression: ledger, then budgets, with the summary admitted by the same Budgets. */
  async function budgetRig(capOf: (spent: number) => { instance?: number; daily?: number }) {
    const dir = await tempDir();
    const ledger = new Ledger({ dir: dir.path });
    let fleetOf: (() => import('../../src/core/fleet').Fleet) | undefined;
    // A tiny answer allowance keeps the turns themselves cheap, so only the summary (on Opus) meets the cap.
    const budgets = new Budgets({ ledger, price: (b, u, m) => fleetOf!().price(b, u, m), outputAllowanceTokens: 1 });
    const r = await compressionRig(
      { keepTurns: 1, summarizer: { kind: 'model', backend: 'anthropic', model: OPUS } },
      {
        window: 1200,
        after: [ledgerStage(ledger), budgets.stage],
        deps: (fleet) => ((fleetOf = fleet), { admit: budgetAdmit(budgets), recordSummary: (instance, askId, bill) => void ledger.append(summaryRecord(instance, instance, askId, bill)) }),
      },
    );
    const notes: string[] = [];
    r.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    // Turns until the next one would compress, with no cap yet; then the cap, relative to what was spent.
    let i = 1;
    for (; i <= 4; i++) await r.fleet.ask('a', question(i));
    assert.equal(r.summaries().length, 0, 'nothing compressed yet');
    const spent = (await ledger.query({ period: 'day' })).total.usd;
    const cap = capOf(spent);
    if (cap.instance) r.fleet.setBudget('a', cap.instance);
    if (cap.daily) budgets.configure({ dailyUsd: cap.daily, warnAt: 1 });
    return { r, ledger, budgets, notes, next: i, close: async () => (await r.close(), await dir.remove()) };
  }

  it("over the instance's cap: no summarizer request, the sliding window, and a note naming the cap; the turn still answers", async () => {
    // Room for a turn on Haiku (under a tenth of a cent) but not for a summary on Opus (over a cent).
    const t = await budgetRig((spent) => ({ instance: spent + 0.003 }));
    try {
      let asked = t.next;
      for (; asked <= 8 && !latestCompression(t.r.fleet.get('a').transcript); asked++) await t.r.fleet.ask('a', question(asked));
      const mark = latestCompression(t.r.fleet.get('a').transcript);
      assert.ok(mark, 'a compression happened');
      assert.equal(t.r.summaries().length, 0, 'the summarizer was never asked');
      assert.equal(mark.mode, 'window');
      assert.match(mark.note!, /^no summary was made: The cap of \$0\.\d+ on instance 'a' would be crossed by the compression summary by anthropic\/claude-opus-4-5 \(~ \$0\.0\d+; \$0\.\d+ spent by it\); the sliding window was used instead$/);
      assert.ok(t.notes.some((n) => /^compressed: \d+ earlier messages with a sliding window .*The cap of .* on instance 'a' would be crossed.*the sliding window was used instead$/.test(n)), t.notes.join('\n'));
      assert.equal(t.r.turns().length, asked - 1, 'every turn was answered');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(t.budgets.inFlight, 0, 'nothing left held');
    } finally {
      await t.close();
    }
  });

  it('within the caps: the summary is made, recorded, and its hold released; the daily cap counts it', async () => {
    const t = await budgetRig((spent) => ({ daily: spent + 1 }));
    try {
      for (let i = t.next; i <= 8; i++) await t.r.fleet.ask('a', question(i));
      assert.ok(t.r.summaries().length >= 1);
      assert.equal(latestCompression(t.r.fleet.get('a').transcript)?.mode, 'summary');
      const records = (await t.ledger.records(0, Date.now() + 60_000)).filter((x) => x.askId.endsWith(':summary'));
      assert.equal(records.length, t.r.summaries().length);
      assert.ok(records.every((x) => x.outcome === 'ok' && x.model === OPUS && x.usd! > 0));
      assert.equal(t.budgets.inFlight, 0);
      // The day's cap now leaves room for a few Haiku turns, not for another Opus summary (about a cent): the next
      // compression uses the window.
      const spent = (await t.ledger.query({ period: 'day' })).total.usd;
      t.budgets.configure({ dailyUsd: spent + 0.006, warnAt: 1 });
      const before = t.r.summaries().length;
      const last = latestCompression(t.r.fleet.get('a').transcript)!.id;
      for (let i = 9; i <= 14 && latestCompression(t.r.fleet.get('a').transcript)!.id === last; i++) {
        await new Promise((resolve) => setImmediate(resolve)); // the last turn's hold has gone to the ledger
        await t.r.fleet.ask('a', question(i));
      }
      assert.equal(t.r.summaries().length, before, 'no summary past the daily cap');
      const mark = latestCompression(t.r.fleet.get('a').transcript)!;
      assert.notEqual(mark.id, last, 'compressed again');
      assert.equal(mark.mode, 'window');
      assert.match(mark.note!, /The daily cap of \$\d+\.\d+ would be crossed by the compression summary by anthropic\/claude-opus-4-5 \(~ \$0\.01; \$\d+\.\d+ spent today\)/);
    } finally {
      await t.close();
    }
  });
});
