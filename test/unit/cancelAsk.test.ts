import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../src/core/errors';
import { AskFailedError } from '../../src/core/instance';
import { lastUserText } from '../fixtures/anthropicFake';
import { HAIKU, rig, until, type Rig } from './helpers';

const SLOW_TEXT = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');

describe('cancel one ask by its id', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    r.fake.fallback = (req) => {
      const q = lastUserText(req.body);
      return q === 'first' ? { kind: 'reply', text: SLOW_TEXT, gapMs: 20 } : { kind: 'reply', text: `answer to ${q}` };
    };
    r.fleet.spawn('solo', { backend: 'anthropic', model: HAIKU });
  });
  afterEach(async () => r.close());

  it('takes a queued ask out of the queue: it is never sent, and the running one and the rest carry on', async () => {
    const first = r.fleet.ask('solo', 'first');
    const second = r.fleet.ask('solo', 'second');
    const third = r.fleet.ask('solo', 'third');
    await until(() => first.text.length > 0, 'the first answer to start');
    assert.equal(r.fleet.cancel('solo', second.id), true);
    const error = await second.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError);
    assert.equal(error.kind, 'cancelled');
    assert.equal(error.message, 'Cancelled before it was sent.');
    assert.equal(error.answer.text, '');
    assert.deepEqual(r.fleet.get('solo').queued.map((h) => h.prompt), ['third']);

    assert.equal((await first).text, SLOW_TEXT, 'the running ask was not touched');
    assert.equal((await third).text, 'answer to third');
    assert.deepEqual(r.fake.messageRequests().map((q) => lastUserText(q.body)), ['first', 'third']);
    const texts = r.fleet.get('solo').transcript.map((m) => m.text);
    assert.ok(!texts.includes('second'), 'the cancelled ask never reached the transcript');
  });

  it('stops the running ask when its id is named, and the queued one runs next', async () => {
    const first = r.fleet.ask('solo', 'first');
    const second = r.fleet.ask('solo', 'second');
    await until(() => first.text.length > 0, 'the first answer to start');
    assert.equal(r.fleet.cancel('solo', first.id), true);
    const error = await first.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError && error.kind === 'cancelled');
    assert.ok(error.answer.text.length > 0 && error.answer.text.length < SLOW_TEXT.length, 'the partial answer is kept');
    assert.equal((await second).text, 'answer to second');
  });

  it('returns false for an ask that is done or unknown, and throws on an id that is not text', async () => {
    const done = r.fleet.ask('solo', 'quick');
    await done;
    assert.equal(r.fleet.cancel('solo', done.id), false);
    assert.equal(r.fleet.cancel('solo', 'no-such-ask'), false);
    assert.throws(() => r.fleet.cancel('solo', 42 as unknown as string), (e: unknown) => e instanceof FleetError && e.message === 'An ask id must be text, not a number.');
  });
});
