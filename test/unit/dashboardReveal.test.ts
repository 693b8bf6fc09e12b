// A top request of the dashboard finds its chat message: the ledger record's ask id is the answer's message id, in a
// real Fleet whose ledger stage wrote the record. Found after a rename too; a fork's copy is not the fork's own; a
// killed instance or another window's record gets a clear message rather than nothing.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { LedgerRecord } from '../../src/core/cost/ledger';
import { AskFailedError } from '../../src/core/instance';
import { topRequests } from '../../src/vscode/dashboard/dashboardData';
import { locateRequest } from '../../src/vscode/dashboard/requestLocation';
import { HAIKU, rig, type Rig } from './helpers';
import { withLedgerRig } from './ledgerRig';

let r: Rig;
let records: () => Promise<LedgerRecord[]>;
const start = withLedgerRig('llm-fleet-reveal-');

beforeEach(async () => {
  // The ledger stage alone, with the tree lookup, in a Fleet over the Anthropic fake.
  ({ rig: r, rows: records } = await start({ make: (stages) => rig({ stages }) }));
});

describe('a ledger record finds its chat message', () => {
  it('the dearest request of the period names the answer in its instance’s transcript', async () => {
    r.fleet.spawn('ada', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue(
      { kind: 'reply', text: 'cheap', usage: { input_tokens: 10, output_tokens: 5 } },
      { kind: 'reply', text: 'dear', usage: { input_tokens: 90_000, output_tokens: 4000 } },
      { kind: 'reply', text: 'cheap again', usage: { input_tokens: 10, output_tokens: 5 } },
    );
    await r.fleet.ask('ada', 'one');
    const dear = await r.fleet.ask('ada', 'two');
    await r.fleet.ask('ada', 'three');
    const [top] = topRequests(await records());
    const at = locateRequest(r.fleet, top.instance, top.askId);
    assert.deepEqual(at, { kind: 'found', instance: 'ada', messageId: dear.id });
    const message = r.fleet.get('ada').transcript.find((m) => m.id === (at.kind === 'found' ? at.messageId : ''));
    assert.equal(message?.role === 'assistant' && message.text, 'dear');
  });

  it('a failed ask’s record finds its failed answer', async () => {
    r.fleet.spawn('bo', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'status', status: 529 });
    await assert.rejects(Promise.resolve(r.fleet.ask('bo', 'x')), AskFailedError);
    const [rec] = await records();
    const at = locateRequest(r.fleet, 'bo', rec.askId);
    assert.equal(at.kind, 'found');
    assert.equal(r.fleet.get('bo').transcript.find((m) => m.id === rec.askId)?.role, 'assistant');
  });

  it('follows a rename: the record keeps the old name, the transcript moved with the instance', async () => {
    r.fleet.spawn('old', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', text: 'a' });
    await r.fleet.ask('old', 'q');
    r.fleet.rename('old', 'new');
    const [rec] = await records();
    assert.equal(rec.instance, 'old');
    assert.deepEqual(locateRequest(r.fleet, 'old', rec.askId), { kind: 'found', instance: 'new', messageId: rec.askId });
  });

  it('a fork’s inherited copy is not taken for the fork’s own answer', async () => {
    r.fleet.spawn('p', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', text: 'a' });
    await r.fleet.ask('p', 'q');
    await r.fleet.fork('p', 'child');
    const [rec] = await records();
    await r.fleet.kill('p');
    const at = locateRequest(r.fleet, 'child', rec.askId);
    assert.equal(at.kind, 'noMessage', 'the parent paid for it; its chat is gone with it');
  });

  it('says why when the instance is gone or the answer is not in its chat', async () => {
    r.fleet.spawn('ada', { backend: 'anthropic', model: HAIKU });
    const gone = locateRequest(r.fleet, 'ghost', 'ask-1');
    assert.equal(gone.kind, 'noInstance');
    assert.match(gone.kind === 'noInstance' ? gone.message : '', /'ghost' is not in this window's fleet \(it was killed, or it ran in another window or workspace\)/);
    const other = locateRequest(r.fleet, 'ada', 'from-another-window');
    assert.equal(other.kind, 'noMessage');
    assert.match(other.kind === 'noMessage' ? other.message : '', /'ada' has no answer for that request in its chat \(ask from-another-window\)/);
  });
});
