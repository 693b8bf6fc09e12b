import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../src/core/errors';
import type { InstanceInfo } from '../../src/core/instanceInfo';
import type { Message } from '../../src/core/transcript';
import { lastUserText, type RecordedRequest } from '../fixtures/anthropicFake';
import { HAIKU, rig, until, type Rig } from './helpers';

/** An answer slow enough to fork its parent mid-stream: 40 words, 25 ms apart. */
const SLOW_TEXT = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');

/** Role and text of each message: what a model sees, in order. */
const shape = (messages: readonly Message[]) => messages.map((m) => [m.role, m.text]);

/** Role and text of each message of a recorded request, the same way. */
function sent(request: RecordedRequest): string[][] {
  return (request.body.messages as any[]).map((m) => [m.role, typeof m.content === 'string' ? m.content : m.content.filter((c: any) => c.type === 'text').map((c: any) => c.text).join('')]);
}

describe('a fork of a busy parent takes settled context only', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    // Answers keyed by question, so the order in which parent and child reach the fake does not matter.
    r.fake.fallback = (req) => {
      const q = lastUserText(req.body);
      return q === 'pending question' ? { kind: 'reply', text: SLOW_TEXT, gapMs: 25 } : { kind: 'reply', text: `answer to ${q}` };
    };
    r.fleet.spawn('parent', { backend: 'anthropic', model: HAIKU });
    await r.fleet.ask('parent', 'settled question');
  });
  afterEach(async () => r.close());

  const SETTLED = [['user', 'settled question'], ['assistant', 'answer to settled question']];

  /** The request the child sent for `prompt`. */
  const requestFor = (prompt: string) => {
    const found = r.fake.messageRequests().filter((q) => lastUserText(q.body) === prompt);
    assert.equal(found.length, 1, `one request for '${prompt}'`);
    return found[0];
  };

  /** Forks the parent while it streams its answer to 'pending question', and checks what the child holds and sends. */
  async function forkMidAnswer(child: string): Promise<InstanceInfo> {
    const parent = r.fleet.get('parent');
    await until(() => (parent.currentAsk?.text.split(' ').length ?? 0) > 3, 'a few words of the slow answer');
    assert.equal(parent.transcript.at(-1)?.text, 'pending question', 'the pending question is in the parent’s transcript');
    const info = await r.fleet.fork('parent', child);
    assert.equal(r.fleet.status('parent').status, 'busy', 'the parent was still answering when it was forked');

    const copied = r.fleet.get(child).transcript;
    assert.deepEqual(shape(copied), SETTLED, 'exactly the settled pair: no pending question, no partial answer');
    assert.deepEqual(copied.map((m) => m.id), parent.transcript.slice(0, 2).map((m) => m.id));
    assert.equal(info.lineage?.forkPoint, parent.transcript[1].id, 'the fork point is the last settled answer');
    assert.equal(info.messageCount, 2);

    await r.fleet.ask(child, 'child question');
    assert.deepEqual(sent(requestFor('child question')), [...SETTLED, ['user', 'child question']], 'the child sends the settled history and its own prompt, nothing else');
    return info;
  }

  it('with one answer in flight', async () => {
    const inFlight = r.fleet.ask('parent', 'pending question');
    await forkMidAnswer('child');
    assert.equal((await inFlight).text, SLOW_TEXT, 'the parent’s answer finishes undisturbed');
    assert.deepEqual(shape(r.fleet.get('parent').transcript), [...SETTLED, ['user', 'pending question'], ['assistant', SLOW_TEXT]]);
    assert.deepEqual(shape(r.fleet.get('child').transcript), [...SETTLED, ['user', 'child question'], ['assistant', 'answer to child question']], 'and never reaches the child');
  });

  it('with asks queued behind the answer in flight', async () => {
    const inFlight = r.fleet.ask('parent', 'pending question');
    const queued = [r.fleet.ask('parent', 'queued one'), r.fleet.ask('parent', 'queued two')];
    assert.equal(r.fleet.status('parent').queued, 2);
    await forkMidAnswer('child');
    await Promise.all([inFlight, ...queued]);
    const texts = r.fleet.get('child').transcript.map((m) => m.text).join('\n');
    for (const q of ['pending question', 'queued one', 'queued two']) assert.ok(!texts.includes(q), `the child never got '${q}'`);
    assert.equal(r.fleet.get('parent').transcript.length, 8, 'the parent answered all three');
  });

  it('at the moment an answer settles it takes that answer; at the moment a queued ask starts, not its question', async () => {
    const forks: Array<Promise<InstanceInfo>> = [];
    r.fleet.onDidCompleteTurn((e) => {
      if (e.name === 'parent' && e.message.text === 'answer to second question') forks.push(r.fleet.fork('parent', 'at-answer'));
    });
    r.fleet.onDidStartTurn((e) => {
      if (e.name === 'parent' && e.message.text === 'third question') forks.push(r.fleet.fork('parent', 'at-start'));
    });
    const asks = [r.fleet.ask('parent', 'second question'), r.fleet.ask('parent', 'third question')];
    await Promise.all(asks);
    await Promise.all(forks);
    const upToSecond = [...SETTLED, ['user', 'second question'], ['assistant', 'answer to second question']];
    assert.deepEqual(shape(r.fleet.get('at-answer').transcript), upToSecond, 'forked as the answer settled, while its turn was still current');
    assert.deepEqual(shape(r.fleet.get('at-start').transcript), upToSecond, 'forked as the third question went out');
  });

  it('refuses to fork at the pending question, and says what to do instead', async () => {
    const inFlight = r.fleet.ask('parent', 'pending question');
    const pending = r.fleet.get('parent').transcript.at(-1)!;
    assert.equal(pending.text, 'pending question');
    await assert.rejects(
      r.fleet.fork('parent', 'too-early', { atMessage: pending.id }),
      (e) => e instanceof FleetError && e.code === 'invalid_argument' && e.message === `Message '${pending.id}' of 'parent' is still being answered. Fork at an earlier message, or wait for the answer.`,
    );
    await inFlight;
    const later = await r.fleet.fork('parent', 'in-time', { atMessage: pending.id });
    assert.equal(later.lineage?.forkPoint, pending.id, 'once answered, the question is a fork point like any other');
  });
});
