// The ledger stage in a Fleet with the loopback fakes: one record per attempt (a fallback's failed try included),
// a stage's refusal as `blocked`, a cancel, fork trees, and a ledger that cannot write never failing an answer.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ledgerStage, type LedgerRecord } from '../../src/core/cost/ledger';
import { BackendError } from '../../src/core/errors';
import { AskFailedError } from '../../src/core/instance';
import type { TurnAttempt, TurnStage } from '../../src/core/turn/types';
import { HAIKU } from './helpers';
import { withLedgerRig, type LedgerRig } from './ledgerRig';
import type { MixedFleetRig } from './mixedRig';

const QWEN = 'qwen2.5:7b';
let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-ledger-');

/** What the host would pass: the root of an instance's fork tree, walking `lineage.parent` while the parent lives. */
/** A fallback to Ollama after a failure; when that fails too, the error it throws carries every attempt. */
const fallback: TurnStage = async (req, next) => {
  let first: TurnAttempt;
  try {
    return await next(req);
  } catch (e) {
    first = { backend: req.target.backend, model: req.target.model, error: { kind: e instanceof BackendError ? e.kind : 'unknown', message: String(e) } };
  }
  try {
    const result = await next({ ...req, target: { backend: 'ollama', model: QWEN }, reason: 'fallback' });
    return { ...result, attempts: [first, ...result.attempts] };
  } catch (e) {
    const second = { backend: 'ollama' as const, model: QWEN, error: { kind: e instanceof BackendError ? e.kind : ('unknown' as const), message: String(e) } };
    throw Object.assign(e as Error, { attempts: [first, second] });
  }
};

async function rig(stages: TurnStage[] = [], ledgerDir?: string): Promise<LedgerRig<MixedFleetRig>> {
  const l = await start({ ledgerDir: ledgerDir ? (tmp) => ledgerDir.replace('$TMP', tmp) : undefined, stages: ({ ledger, treeRootOf }) => [ledgerStage(ledger, { treeRootOf }), ...stages] });
  r = l.rig;
  return l;
}

const brief = (x: LedgerRecord) => [x.instance, x.backend, x.attempt, x.outcome, x.errorKind ?? '-', x.basis, x.fallbackFrom?.backend ?? '-'];

describe('the ledger stage in a Fleet', () => {
  it('writes one record per answered ask, with the ask id, timings and the reported model', async () => {
    const { rows, problems } = await rig();
    r!.anthropic.enqueue({ kind: 'reply', deltas: ['a', 'b'], usage: { input_tokens: 12, output_tokens: 3 } });
    r!.fleet.spawn('p', { backend: 'anthropic', model: HAIKU });
    const handle = r!.fleet.ask('p', 'hi');
    const answer = await handle;
    const [rec, ...rest] = await rows();
    assert.deepEqual(rest, []);
    assert.deepEqual(brief(rec), ['p', 'anthropic', 0, 'ok', '-', 'table', '-']);
    assert.deepEqual([rec.askId, rec.tree, rec.model, rec.input, rec.output, rec.usd], [handle.id, 'p', HAIKU, 12, 3, answer.cost!.usd]);
    assert.ok(rec.latencyMs >= 0 && rec.firstTokenMs !== undefined && rec.firstTokenMs <= rec.latencyMs);
    assert.deepEqual(problems, []);
  });

  it('a fallback writes the failed try and the answer, both under the ask', async () => {
    const { rows } = await rig([fallback]);
    r!.anthropic.enqueue({ kind: 'status', status: 529 });
    r!.ollama.enqueue({ kind: 'reply', deltas: ['rescued'], promptEvalCount: 40, evalCount: 1 });
    r!.fleet.spawn('f', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('f', 'help')).text, 'rescued');
    const recs = await rows();
    assert.deepEqual(recs.map(brief), [
      ['f', 'anthropic', 0, 'error', 'overloaded', 'none', '-'],
      ['f', 'ollama', 1, 'ok', '-', 'local', 'anthropic'],
    ]);
    assert.equal(new Set(recs.map((x) => x.askId)).size, 1);
    assert.deepEqual([recs[0].usd, recs[0].input, recs[1].input, recs[1].model], [undefined, 0, 40, QWEN]);
  });

  it('a fallback that fails too: every attempt is a record, each with its own error', async () => {
    const { ledger, rows } = await rig([fallback]);
    r!.anthropic.enqueue({ kind: 'status', status: 529 });
    r!.ollama.enqueue({ kind: 'status', status: 500 });
    r!.fleet.spawn('ff', { backend: 'anthropic', model: HAIKU });
    await assert.rejects(Promise.resolve(r!.fleet.ask('ff', 'help')), AskFailedError);
    assert.deepEqual((await rows()).map(brief), [
      ['ff', 'anthropic', 0, 'error', 'overloaded', 'none', '-'],
      ['ff', 'ollama', 1, 'error', 'server', 'none', 'anthropic'],
    ]);
    const day = await ledger.query({ period: 'day' });
    assert.deepEqual([day.total.records, day.total.errors, day.total.usd, day.total.unpriced], [2, 2, 0, 0], 'failures cost nothing and are not unpriced');
  });

  it('a fallback that throws the bare last error: the earlier try is still a record, its kind unknown', async () => {
    const bare: TurnStage = (req, next) => fallback(req, next, () => undefined).catch((e: Error & { attempts?: unknown }) => Promise.reject(Object.assign(e, { attempts: undefined })));
    const { rows } = await rig([bare]);
    r!.anthropic.enqueue({ kind: 'status', status: 529 });
    r!.ollama.enqueue({ kind: 'status', status: 500 });
    r!.fleet.spawn('fb', { backend: 'anthropic', model: HAIKU });
    await assert.rejects(Promise.resolve(r!.fleet.ask('fb', 'help')), AskFailedError);
    assert.deepEqual((await rows()).map(brief), [
      ['fb', 'anthropic', 0, 'error', 'unknown', 'none', '-'],
      ['fb', 'ollama', 1, 'error', 'server', 'none', 'anthropic'],
    ]);
  });

  it('a stage that refuses before sending is recorded as blocked; a cancelled ask as cancelled', async () => {
    let refuse = true;
    const budget: TurnStage = (req, next) => (refuse ? Promise.reject(new BackendError('bad_request', 'Over the daily cap.')) : next(req));
    const { rows } = await rig([budget]);
    r!.fleet.spawn('b', { backend: 'anthropic', model: HAIKU });
    await assert.rejects(Promise.resolve(r!.fleet.ask('b', 'expensive')), AskFailedError);
    refuse = false;
    r!.anthropic.enqueue({ kind: 'hang', after: 1 });
    const handle = r!.fleet.ask('b', 'slow');
    await new Promise<void>((resolve) => r!.fleet.onDidStream(() => resolve()));
    r!.fleet.cancel('b');
    await Promise.resolve(handle).catch(() => undefined);
    const recs = await rows();
    assert.deepEqual(recs.map(brief), [
      ['b', 'anthropic', 0, 'blocked', 'bad_request', 'none', '-'],
      // The stream was cancelled after message_start: the prompt it reported was billed, and is on the record.
      ['b', 'anthropic', 0, 'cancelled', 'cancelled', 'table', '-'],
    ]);
    assert.ok(recs[1].input > 0 && recs[1].usd! > 0, `the billed prompt: ${recs[1].input} tokens, $${recs[1].usd}`);
    assert.ok(recs[1].firstTokenMs !== undefined, 'a partial answer had its first token');
    assert.equal(r!.anthropic.messageRequests().length, 1, 'the blocked ask never reached the API');
  });

  it('records a fork under its tree root, so a tree can be summed', async () => {
    const { ledger } = await rig();
    r!.fleet.spawn('root', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('root', 'one');
    await r!.fleet.fork('root', 'child');
    await r!.fleet.fork('child', 'grandchild');
    await r!.fleet.ask('child', 'two');
    await r!.fleet.ask('grandchild', 'three');
    r!.fleet.spawn('loner', { backend: 'anthropic', model: HAIKU });
    await r!.fleet.ask('loner', 'four');
    const byTree = await ledger.query({ period: 'day', groupBy: 'tree' });
    assert.deepEqual(Object.fromEntries(Object.entries(byTree.groups!).map(([k, t]) => [k, t.records])), { root: 3, loner: 1 });
    const tree = await ledger.query({ period: 'day', tree: 'root', groupBy: 'instance' });
    assert.deepEqual(Object.keys(tree.groups!).sort(), ['child', 'grandchild', 'root']);
  });

  it('a ledger that cannot write reports it through onProblem, and the answer still arrives', async () => {
    const { problems, ledger, dir } = await rig([], '$TMP/not-a-folder/ledger');
    writeFileSync(join(dir, 'not-a-folder'), 'a regular file, so nothing can be created under it (even by root)');
    r!.anthropic.enqueue({ kind: 'reply', text: 'still here' });
    r!.fleet.spawn('w', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r!.fleet.ask('w', 'hi')).text, 'still here');
    await ledger.flush();
    assert.equal(r!.fleet.status('w').status, 'idle');
    assert.deepEqual(problems.map((p) => p.kind), ['write']);
    assert.match(problems[0].message, /The usage ledger could not be written at .*not-a-folder\/ledger\/ledger-\d{4}-\d{2}\.jsonl: ENOTDIR.*1 usage record was not saved; answers are unaffected/);
    assert.equal((await ledger.query({ period: 'day' })).total.records, 0, 'a query of the missing folder is empty, not an error');
  });

  it('a throwing problem listener or tree lookup does not touch the answer', async () => {
    const { ledger, dir, rig: made } = await start({
      ledgerDir: (tmp) => join(tmp, 'file', 'x'),
      onProblem: () => { throw new Error('listener bug'); },
      stages: (p) => [ledgerStage(p.ledger, { treeRootOf: () => { throw new Error('lookup bug'); } })],
    });
    r = made;
    writeFileSync(join(dir, 'file'), '');
    r.anthropic.enqueue({ kind: 'reply', text: 'fine' });
    r.fleet.spawn('t', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r.fleet.ask('t', 'hi')).text, 'fine');
    await ledger.flush();
  });
});
