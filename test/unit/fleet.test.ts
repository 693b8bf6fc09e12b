import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AskFailedError } from '../../src/core/instance';
import { allTexts, lastUserText } from '../fixtures/anthropicFake';
import { HAIKU, rig, until, type Rig } from './helpers';

describe('Fleet operations (real SDK against the loopback fake)', () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(async () => r.close());

  it('spawns, asks, and resolves to the final message with usage and cost', async () => {
    const events: string[] = [];
    r.fleet.onDidSpawn((i) => events.push(`spawn:${i.name}`));
    r.fleet.onDidChangeStatus((e) => events.push(`${e.previous}->${e.status}`));
    const deltas: string[] = [];
    r.fleet.onDidStream((e) => deltas.push(e.delta));
    r.fleet.onDidCompleteTurn((e) => events.push(`done:${e.message.status}`));
    r.fake.enqueue({ kind: 'reply', text: 'Hello there, fleet.', usage: { input_tokens: 1000, output_tokens: 200 } });

    const info = r.fleet.spawn('alpha', { backend: 'anthropic', model: HAIKU, systemPrompt: 'Be brief.' });
    assert.equal(info.status, 'idle');
    const answer = await r.fleet.ask('alpha', 'Say hello');

    assert.equal(answer.text, 'Hello there, fleet.');
    assert.equal(deltas.join(''), answer.text);
    assert.ok(deltas.length > 1, 'the answer streamed in several deltas');
    assert.equal(answer.usage?.input, 1000);
    assert.equal(answer.usage?.output, 200);
    assert.equal(answer.model, HAIKU);
    // Haiku 4.5: $1/M in, $5/M out.
    assert.equal(answer.cost?.basis, 'table');
    assert.ok(Math.abs((answer.cost?.usd ?? NaN) - (1000 * 1 + 200 * 5) / 1e6) < 1e-12);
    assert.deepEqual(events, ['spawn:alpha', 'idle->busy', 'done:complete', 'busy->idle']);
    const body = r.fake.messageRequests()[0].body;
    assert.equal(body.system[0].text, 'Be brief.');
    assert.equal(lastUserText(body), 'Say hello');
    const status = r.fleet.status('alpha');
    assert.equal(status.messageCount, 2);
    assert.equal(status.usage.output, 200);
    assert.equal(status.cost.usd, answer.cost?.usd, 'the instance total is its one answer');
  });

  it('streams an ask as an async iterable of deltas, even when iteration starts late', async () => {
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', deltas: ['one ', 'two ', 'three'] });
    const handle = r.fleet.ask('a', 'count');
    await handle;
    const seen: string[] = [];
    for await (const d of handle) seen.push(d);
    assert.deepEqual(seen, ['one ', 'two ', 'three']);
  });

  it('queues a second ask on a busy instance and runs it after the first, in order', async () => {
    r.fleet.spawn('q', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', text: 'first answer', gapMs: 20 }, { kind: 'reply', text: 'second answer' });
    const statuses: string[] = [];
    const queued: number[] = [];
    const subs = [
      r.fleet.onDidChangeStatus((e) => e.name === 'q' && statuses.push(e.status)),
      r.fleet.onDidChangeInstance((e) => e.name === 'q' && queued.push(r.fleet.status('q').queued)),
    ];
    const first = r.fleet.ask('q', 'first question');
    const second = r.fleet.ask('q', 'second question');
    assert.equal(r.fleet.status('q').queued, 1);
    assert.equal(r.fleet.status('q').status, 'busy');
    assert.deepEqual(queued, [1], 'views hear that an ask is waiting');
    const [a, b] = await Promise.all([first, second]);
    subs.forEach((s) => s.dispose());
    assert.deepEqual(statuses, ['busy', 'idle'], 'busy from the first turn to the last, never idle in between');
    // (a change may also report the model the provider named)
    assert.equal(queued.at(-1), 0, `and that the waiting ask has started: ${queued.join(', ')}`);
    assert.equal(a.text, 'first answer');
    assert.equal(b.text, 'second answer');
    const requests = r.fake.messageRequests();
    assert.equal(requests.length, 2);
    assert.deepEqual(allTexts(requests[1].body), ['first question', 'first answer', 'second question']);
    assert.deepEqual(r.fleet.get('q').transcript.map((m) => m.text), ['first question', 'first answer', 'second question', 'second answer']);
  });

  it('cancels mid-stream, keeps the partial answer, and stays usable', async () => {
    r.fleet.spawn('c', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'hang', after: 3 });
    const handle = r.fleet.ask('c', 'go on forever');
    await until(() => handle.text.length > 0 && handle.text.split(' ').length > 3, 'three deltas');
    assert.equal(r.fleet.cancel('c'), true);
    const failure = await handle.then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError);
    assert.equal(failure.kind, 'cancelled');
    assert.equal(failure.answer.text, 'part0 part1 part2 ');
    const last = r.fleet.get('c').transcript.at(-1)!;
    assert.equal(last.role, 'assistant');
    assert.equal(last.text, 'part0 part1 part2 ');
    assert.equal(r.fleet.status('c').status, 'idle');
    r.fake.enqueue({ kind: 'reply', text: 'back again' });
    assert.equal((await r.fleet.ask('c', 'still there?')).text, 'back again');
    // The partial answer is context for the next turn.
    assert.ok(allTexts(r.fake.messageRequests()[1].body).includes('part0 part1 part2 '));
  });

  it('forks with inherited context and records the lineage; the parent is untouched', async () => {
    r.fleet.spawn('base', { backend: 'anthropic', model: HAIKU, systemPrompt: 'You are the base.' });
    r.fake.enqueue({ kind: 'reply', text: 'Noted: the code word is heron.' });
    await r.fleet.ask('base', 'Remember the code word heron.');
    const child = await r.fleet.fork('base', 'worker-1');
    assert.equal(child.lineage?.parent, 'base');
    assert.equal(child.lineage?.forkPoint, r.fleet.get('base').transcript[1].id);
    assert.equal(child.systemPrompt, 'You are the base.');
    r.fake.enqueue({ kind: 'reply', text: 'heron' });
    await r.fleet.ask('worker-1', 'What is the code word?');
    const seen = r.fake.messageRequests()[1].body;
    assert.deepEqual(allTexts(seen), ['Remember the code word heron.', 'Noted: the code word is heron.', 'What is the code word?']);
    assert.equal(seen.system[0].text, 'You are the base.');
    assert.equal(r.fleet.get('base').transcript.length, 2);
    assert.equal(r.fleet.get('worker-1').transcript.length, 4);
  });

  it('counts only its own answers in a fork’s totals and model: the inherited ones were the parent’s spend', async () => {
    r.fleet.spawn('payer', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', text: 'Paid for by payer.', usage: { input_tokens: 1000, output_tokens: 100 } });
    await r.fleet.ask('payer', 'First');
    const child = await r.fleet.fork('payer', 'free-rider', { model: 'claude-sonnet-4-5' });
    assert.deepEqual([child.usage.input, child.usage.output, child.cost.usd, child.model], [0, 0, 0, 'claude-sonnet-4-5']);
    assert.ok(r.fleet.get('free-rider').transcript.every((m) => m.inherited), 'the copied messages are marked');
    r.fake.enqueue({ kind: 'reply', text: 'Mine.', usage: { input_tokens: 300, output_tokens: 10 }, model: 'claude-sonnet-4-5-20250929' });
    await r.fleet.ask('free-rider', 'Second');
    const after = r.fleet.status('free-rider');
    assert.deepEqual([after.usage.input, after.usage.output, after.model], [300, 10, 'claude-sonnet-4-5-20250929']);
    assert.equal(r.fleet.status('payer').usage.input, 1000, 'the parent keeps its own');
  });

  it('forks from an earlier message', async () => {
    r.fleet.spawn('src', { backend: 'anthropic', model: HAIKU });
    await r.fleet.ask('src', 'question one');
    await r.fleet.ask('src', 'question two');
    const firstAnswer = r.fleet.get('src').transcript[1];
    const child = await r.fleet.fork('src', 'early', { atMessage: firstAnswer.id });
    assert.equal(child.lineage?.forkPoint, firstAnswer.id);
    await r.fleet.ask('early', 'question three');
    const texts = allTexts(r.fake.messageRequests()[2].body);
    assert.equal(texts.length, 3);
    assert.equal(texts[0], 'question one');
    assert.ok(!texts.includes('question two'));
    await assert.rejects(r.fleet.fork('src', 'bad', { atMessage: 'no-such-message' }), /has no message 'no-such-message'/);
  });

  it("relays one instance's last answer to another, through a template", async () => {
    r.fleet.spawn('writer', { backend: 'anthropic', model: HAIKU });
    r.fleet.spawn('critic', { backend: 'anthropic', model: HAIKU });
    assert.throws(() => r.fleet.relay('writer', 'critic'), /no answer to relay/);
    r.fake.enqueue({ kind: 'reply', text: 'A draft about herons.' }, { kind: 'reply', text: 'Good draft.' });
    await r.fleet.ask('writer', 'Write a draft.');
    const review = await r.fleet.relay('writer', 'critic', { template: 'Review this from {{from}}: {{answer}}' });
    assert.equal(review.text, 'Good draft.');
    assert.equal(lastUserText(r.fake.messageRequests()[1].body), 'Review this from writer: A draft about herons.');
    assert.throws(() => r.fleet.relay('writer', 'critic', { template: 'no placeholder' }), /must contain \{\{answer\}\}/);
  });

  it('broadcasts concurrently and returns every result, the failure included', async () => {
    // Each model answers after its own delay, so each latency can be checked against what it must at least be.
    const delayMs: Record<string, number> = { [HAIKU]: 100, 'claude-sonnet-4-6': 300, 'claude-broken': 200 };
    r.fake.fallback = (req) =>
      req.body.model === 'claude-broken'
        ? { kind: 'status', status: 500, delayMs: delayMs[req.body.model] }
        : { kind: 'reply', text: `answer from ${req.body.model}`, usage: { input_tokens: 10, output_tokens: 3 }, delayMs: delayMs[req.body.model] };
    r.fleet.spawn('b1', { backend: 'anthropic', model: HAIKU });
    r.fleet.spawn('b2', { backend: 'anthropic', model: 'claude-sonnet-4-6' });
    r.fleet.spawn('b3', { backend: 'anthropic', model: 'claude-broken' });
    const started = Date.now();
    const results = await r.fleet.broadcast('all', 'Same question for all');
    const wallMs = Date.now() - started;
    assert.deepEqual(results.map((x) => [x.name, x.ok]), [['b1', true], ['b2', true], ['b3', false]]);
    assert.equal(results[0].text, `answer from ${HAIKU}`);
    assert.equal(results[1].usage?.output, 3);
    // Sonnet 4.6: $3/M in, $15/M out.
    assert.ok(Math.abs((results[1].cost?.usd ?? NaN) - (10 * 3 + 3 * 15) / 1e6) < 1e-12, `cost ${results[1].cost?.usd}`);
    for (const x of results) {
      const held = delayMs[r.fleet.status(x.name).model];
      // Timers and Date.now() both round to the millisecond, so a delay can read as 1 ms short.
      assert.ok(x.latencyMs >= held - 1, `${x.name}: ${x.latencyMs} ms, but the fake held it back ${held} ms`);
      assert.ok(x.latencyMs <= wallMs, `${x.name}: ${x.latencyMs} ms is more than the whole broadcast took (${wallMs} ms)`);
    }
    // Run one after another they would take 600 ms; the margin covers a cold first request.
    assert.ok(wallMs < 100 + 300 + 200, `the three ran concurrently (${wallMs} ms for delays of 100, 300 and 200 ms)`);
    assert.equal(results[2].error?.kind, 'server');
    assert.equal(r.fleet.status('b3').status, 'error');
    assert.equal(r.fleet.status('b3').lastError?.kind, 'server');
    await assert.rejects(async () => r.fleet.broadcast(['b1', 'ghost'], 'x'), /no instance named 'ghost'/);
  });

  it('bounds broadcast concurrency', async () => {
    await r.close();
    r = await rig({ broadcastConcurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    r.fleet.onDidChangeStatus((e) => {
      if (e.status === 'busy') peak = Math.max(peak, ++inFlight);
      if (e.previous === 'busy') inFlight--;
    });
    r.fake.fallback = { kind: 'reply', text: 'slow', delayMs: 30 };
    for (let i = 0; i < 5; i++) r.fleet.spawn(`w${i}`, { backend: 'anthropic', model: HAIKU });
    const results = await r.fleet.broadcast('all', 'hi');
    assert.equal(results.length, 5);
    assert.equal(peak, 2);
  });

  it('answers an async ask through poll: pending with text so far, then done', async () => {
    r.fleet.spawn('bg', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'reply', deltas: ['slow ', 'and ', 'steady'], gapMs: 40 });
    const ticket = r.fleet.askAsync('bg', 'take your time');
    const first = r.fleet.poll(ticket);
    assert.equal(first.status, 'pending');
    await until(() => r.fleet.poll(ticket).status === 'done', 'the background ask');
    const done = r.fleet.poll(ticket);
    assert.equal(done.status, 'done');
    assert.equal(done.text, 'slow and steady');
    r.fake.enqueue({ kind: 'status', status: 401 });
    const failing = r.fleet.askAsync('bg', 'again');
    await until(() => r.fleet.poll(failing).status === 'error', 'the failing background ask');
    const failed = r.fleet.poll(failing);
    assert.equal(failed.status === 'error' && failed.kind, 'auth');
    assert.throws(() => r.fleet.poll('nope'), /Unknown ticket/);
  });

  it('kills an instance during a stream: the connection is closed and later asks fail clearly', async () => {
    r.fleet.spawn('k', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'hang', after: 2 });
    const handle = r.fleet.ask('k', 'long task');
    const queued = r.fleet.ask('k', 'queued behind it');
    await until(() => handle.text.length > 0, 'first delta');
    const killed: string[] = [];
    r.fleet.onDidKill((e) => killed.push(e.name));
    await r.fleet.kill('k');
    const failure = await handle.then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError);
    assert.equal(failure.answer.text, 'part0 part1 ');
    await assert.rejects(async () => queued, /was killed/);
    assert.deepEqual(killed, ['k']);
    assert.equal(r.fleet.has('k'), false);
    assert.throws(() => r.fleet.ask('k', 'hello?'), (e: any) => e.code === 'instance_killed' && /Spawn it again/.test(e.message));
    await until(() => r.fake.messageRequests()[0].abandoned, 'the stream to be abandoned');
    // The name can be used again.
    r.fleet.spawn('k', { backend: 'anthropic', model: HAIKU });
    assert.equal(r.fleet.status('k').messageCount, 0);
  });

  it('killAll ends every instance', async () => {
    for (const n of ['x', 'y', 'z']) r.fleet.spawn(n, { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'hang' });
    const pending = r.fleet.ask('x', 'hang');
    await r.fleet.killAll();
    assert.deepEqual(r.fleet.list(), []);
    await assert.rejects(async () => pending, /Instance 'x' was killed\./);
  });
});

describe('tree roots', () => {
  it('finds the root through forks of forks, keeps it when the root is killed, and follows a rename', async () => {
    const r = await rig();
    try {
      r.fleet.spawn('root', { backend: 'anthropic', model: HAIKU });
      await r.fleet.fork('root', 'child');
      await r.fleet.fork('child', 'grandchild');
      r.fleet.spawn('other', { backend: 'anthropic', model: HAIKU });
      assert.deepEqual(['root', 'child', 'grandchild', 'other'].map((n) => r.fleet.treeRoot(n)), ['root', 'root', 'root', 'other']);
      r.fleet.rename('root', 'trunk');
      assert.deepEqual(['child', 'grandchild'].map((n) => r.fleet.treeRoot(n)), ['trunk', 'trunk']);
      await r.fleet.kill('trunk');
      assert.deepEqual(['child', 'grandchild'].map((n) => r.fleet.treeRoot(n)), ['trunk', 'trunk'], 'the tree stays one tree');
    } finally {
      await r.close();
    }
  });
});
