import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createApi, type LlmFleetApi } from '../../src/api';
import type { Backend } from '../../src/core/backends/backend';
import { FleetError } from '../../src/core/errors';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import type { AssistantMessage } from '../../src/core/transcript';
import { HAIKU, rig, until, type Rig } from './helpers';

/** The API's methods by how they report bad input; every method must be in one list (see the last test). */
const RETURNS_PROMISE = ['fork', 'broadcast', 'kill', 'killAll'] as const;
const RETURNS_AT_ONCE = ['spawn', 'ask', 'askAsync', 'relay', 'poll', 'rename', 'cancel', 'status', 'list'] as const;

type Check = (e: unknown) => boolean;
const fleetError = (code: string, message: RegExp): Check => (e) => e instanceof FleetError && e.code === code && message.test(e.message);

/** Calls `call`, which must not throw, must return a Promise, and that Promise must reject as `check` says. */
async function rejectsOnly(what: string, call: () => unknown, check: Check): Promise<void> {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    assert.fail(`${what} threw synchronously (${String(e)}); a method that returns a Promise must reject instead`);
  }
  assert.ok(result instanceof Promise, `${what} returned a Promise`);
  await assert.rejects(result, (e) => check(e) || assert.fail(`${what} rejected with the wrong error: ${String(e)}`));
}

/** Calls `call`, which must throw at once an error that `check` accepts (a Promise returned instead is a failure). */
function throwsAtOnce(what: string, call: () => unknown, check: Check): void {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    assert.ok(check(e), `${what} threw the wrong error: ${String(e)}`);
    return;
  }
  if (result instanceof Promise) result.catch(() => {});
  assert.fail(`${what} did not throw (it returned ${String(result)})`);
}

describe('the API reports bad input one way per method: a Promise rejects, the others throw', () => {
  let r: Rig;
  let api: LlmFleetApi;
  beforeEach(async () => {
    r = await rig();
    api = createApi(r.fleet);
    api.spawn('a', { backend: 'anthropic', model: HAIKU });
    api.spawn('b', { backend: 'anthropic', model: HAIKU });
    api.spawn('dead', { backend: 'anthropic', model: HAIKU });
    await api.kill('dead');
  });
  afterEach(async () => r.close());

  it('fork rejects, never throws: unknown or killed parent, bad or taken child name, bad backend, unknown message', async () => {
    await rejectsOnly('fork of an unknown instance', () => api.fork('ghost', 'c'), fleetError('unknown_instance', /no instance named 'ghost'/));
    await rejectsOnly('fork of a killed instance', () => api.fork('dead', 'c'), fleetError('instance_killed', /'dead' was killed. Spawn it again/));
    await rejectsOnly('fork of a bad name', () => api.fork('no such/name', 'c'), fleetError('invalid_name', /not a valid instance name/));
    await rejectsOnly('fork to a bad name', () => api.fork('a', 'bad name'), fleetError('invalid_name', /'bad name' is not a valid instance name/));
    await rejectsOnly('fork to a taken name', () => api.fork('a', 'b'), fleetError('duplicate_name', /'b' already exists/));
    await rejectsOnly('fork to an unknown backend', () => api.fork('a', 'c', { backend: 'gemini' as never }), fleetError('unknown_backend', /Unknown backend 'gemini'/));
    await rejectsOnly('fork at an unknown message', () => api.fork('a', 'c', { atMessage: 'nope' }), fleetError('invalid_argument', /'a' has no message 'nope'/));
    assert.deepEqual(api.list().map((i) => i.name), ['a', 'b'], 'no failed fork left an instance behind');
  });

  it('broadcast rejects, never throws: no targets, not a list, a bad or unknown name, a bad prompt', async () => {
    await rejectsOnly('broadcast to nobody', () => api.broadcast([], 'x'), fleetError('invalid_argument', /needs at least one instance/));
    await rejectsOnly('broadcast to a lone name', () => api.broadcast('a' as never, 'x'), fleetError('invalid_argument', /a list of instance names or 'all', not the name 'a'; to ask one instance, pass \['a'\]/));
    await rejectsOnly('broadcast to a number', () => api.broadcast(7 as never, 'x'), fleetError('invalid_argument', /a list of instance names or 'all', not a number/));
    await rejectsOnly('broadcast to an unknown instance', () => api.broadcast(['a', 'ghost'], 'x'), fleetError('unknown_instance', /no instance named 'ghost'/));
    await rejectsOnly('broadcast to a killed instance', () => api.broadcast(['dead'], 'x'), fleetError('instance_killed', /'dead' was killed/));
    await rejectsOnly('broadcast to a bad name', () => api.broadcast(['a', 'bad name'], 'x'), fleetError('invalid_name', /not a valid instance name/));
    await rejectsOnly('broadcast of a number', () => api.broadcast('all', 42 as never), fleetError('invalid_argument', /^The prompt must be text, not a number\.$/));
    await rejectsOnly('broadcast of nothing', () => api.broadcast(['a'], '   '), fleetError('invalid_argument', /prompt is empty/));
    assert.equal(r.fake.messageRequests().length, 0, 'a refused broadcast asks no one');
  });

  it('broadcast to all with no instances rejects', async () => {
    const empty = new Fleet({ backends: [] });
    await rejectsOnly('broadcast to all of none', () => createApi(empty).broadcast('all', 'x'), fleetError('invalid_argument', /needs at least one instance: name one, or spawn one first/));
  });

  it('kill rejects, never throws: unknown, already killed, bad name', async () => {
    await rejectsOnly('kill of an unknown instance', () => api.kill('ghost'), fleetError('unknown_instance', /no instance named 'ghost'/));
    await rejectsOnly('kill of a killed instance', () => api.kill('dead'), fleetError('instance_killed', /'dead' was killed/));
    await rejectsOnly('kill of a bad name', () => api.kill('../etc'), fleetError('invalid_name', /not a valid instance name/));
    await rejectsOnly('kill of a number', () => api.kill(7 as never), fleetError('invalid_name', /^An instance name must be text, not a number\.$/));
  });

  it('killAll rejects, never throws, when a session fails to let go', async () => {
    // killAll takes no input; its one way to fail is a backend whose dispose throws, here synchronously.
    const stuck: Backend = {
      kind: 'anthropic',
      label: 'stuck',
      openSession: () => ({
        state: undefined,
        runTurn: () => Promise.reject(new Error('unused')),
        dispose: () => {
          throw new Error('The socket would not close.');
        },
      }),
    };
    const fleet = new Fleet({ backends: [stuck] });
    createApi(fleet).spawn('s', { backend: 'anthropic', model: HAIKU });
    await rejectsOnly('killAll', () => createApi(fleet).killAll(), (e) => e instanceof Error && /would not close/.test(e.message));
  });

  it('spawn throws at once: bad, taken or missing name, missing options, bad model, backend not set up', () => {
    throwsAtOnce('spawn of a bad name', () => api.spawn('bad/name', { backend: 'anthropic', model: HAIKU }), fleetError('invalid_name', /not a valid instance name/));
    throwsAtOnce('spawn of a taken name', () => api.spawn('a', { backend: 'anthropic', model: HAIKU }), fleetError('duplicate_name', /'a' already exists/));
    throwsAtOnce('spawn without a name', () => (api.spawn as any)(undefined, { backend: 'anthropic', model: HAIKU }), fleetError('invalid_name', /name is required/));
    throwsAtOnce('spawn without options', () => (api.spawn as any)('c'), fleetError('invalid_argument', /Spawn needs options with a backend and a model, e\.g\. .*; it got undefined/));
    throwsAtOnce('spawn with a number for a model', () => api.spawn('c', { backend: 'anthropic', model: 42 as never }), fleetError('invalid_argument', /^The model must be text, not a number\.$/));
    throwsAtOnce('spawn on a backend not set up', () => api.spawn('c', { backend: 'ollama', model: 'qwen2.5' }), fleetError('unknown_backend', /ollama backend is not set up\. Available: anthropic/));
  });

  it('ask and askAsync throw at once: unknown, killed, bad name, a prompt that is not text or is empty', () => {
    for (const [method, ask] of [['ask', api.ask], ['askAsync', api.askAsync]] as const) {
      throwsAtOnce(`${method} of an unknown instance`, () => ask('ghost', 'hi'), fleetError('unknown_instance', /no instance named 'ghost'/));
      throwsAtOnce(`${method} of a killed instance`, () => ask('dead', 'hi'), fleetError('instance_killed', /'dead' was killed. Spawn it again/));
      throwsAtOnce(`${method} of a number for a name`, () => ask(42 as never, 'hi'), fleetError('invalid_name', /^An instance name must be text, not a number\.$/));
      throwsAtOnce(`${method} of a number`, () => ask('a', 42 as never), fleetError('invalid_argument', /^The prompt must be text, not a number\.$/));
      throwsAtOnce(`${method} of an object`, () => ask('a', { text: 'hi' } as never), fleetError('invalid_argument', /^The prompt must be text, not an object\.$/));
      throwsAtOnce(`${method} of a list`, () => ask('a', ['hi'] as never), fleetError('invalid_argument', /^The prompt must be text, not a list\.$/));
      throwsAtOnce(`${method} of nothing`, () => (ask as any)('a'), fleetError('invalid_argument', /^The prompt must be text, not undefined\.$/));
      throwsAtOnce(`${method} of blanks`, () => ask('a', ' \n '), fleetError('invalid_argument', /^The prompt is empty\. Write what to ask\.$/));
    }
    assert.equal(r.fake.messageRequests().length, 0, 'no bad ask reached the API');
  });

  it('relay throws at once: unknown source or target, nothing to relay, a template that is not text or lacks {{answer}}', () => {
    throwsAtOnce('relay from an unknown instance', () => api.relay('ghost', 'a'), fleetError('unknown_instance', /no instance named 'ghost'/));
    throwsAtOnce('relay to an unknown instance', () => api.relay('a', 'ghost'), fleetError('unknown_instance', /no instance named 'ghost'/));
    throwsAtOnce('relay to a killed instance', () => api.relay('a', 'dead'), fleetError('instance_killed', /'dead' was killed/));
    throwsAtOnce('relay of nothing yet', () => api.relay('a', 'b'), fleetError('nothing_to_relay', /'a' has no answer to relay yet/));
    throwsAtOnce('relay with a number for a template', () => api.relay('a', 'b', { template: 42 as never }), fleetError('invalid_argument', /^A relay template must be text, not a number\.$/));
    throwsAtOnce('relay with no placeholder', () => api.relay('a', 'b', { template: 'hi' }), fleetError('invalid_argument', /must contain \{\{answer\}\}/));
  });

  it('poll, rename, cancel and status throw at once', () => {
    throwsAtOnce('poll of an unknown ticket', () => api.poll('nope'), fleetError('invalid_argument', /Unknown ticket 'nope'\. It may have expired/));
    throwsAtOnce('rename of an unknown instance', () => api.rename('ghost', 'c'), fleetError('unknown_instance', /no instance named 'ghost'/));
    throwsAtOnce('rename to a bad name', () => api.rename('a', 'bad name'), fleetError('invalid_name', /'bad name' is not a valid instance name/));
    throwsAtOnce('rename to a taken name', () => api.rename('a', 'b'), fleetError('duplicate_name', /'b' already exists/));
    throwsAtOnce('cancel of an unknown instance', () => api.cancel('ghost'), fleetError('unknown_instance', /no instance named 'ghost'/));
    throwsAtOnce('cancel of a killed instance', () => api.cancel('dead'), fleetError('instance_killed', /'dead' was killed/));
    throwsAtOnce('status of an unknown instance', () => api.status('ghost'), fleetError('unknown_instance', /no instance named 'ghost'/));
    throwsAtOnce('status of a bad name', () => api.status(''), fleetError('invalid_name', /name is required/));
  });

  it('every method of the API is under one of the two rules', () => {
    const methods = Object.entries(api).filter(([k, v]) => typeof v === 'function' && !k.startsWith('onDid')).map(([k]) => k).sort();
    assert.deepEqual(methods, [...RETURNS_PROMISE, ...RETURNS_AT_ONCE].sort(), 'a new method must be added to the rule in src/api.ts and to these lists');
  });
});

describe('a kill ends every ask of the instance the same way', () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(async () => r.close());

  it('the answer in flight and the queued asks all fail with instance_killed and one message; the partial answer is kept', async () => {
    const api = createApi(r.fleet);
    api.spawn('x', { backend: 'anthropic', model: HAIKU });
    const slow = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    r.fake.enqueue({ kind: 'reply', text: slow, gapMs: 25 });
    const inFlight = api.ask('x', 'talk slowly');
    const queued = [api.ask('x', 'first in line'), api.ask('x', 'second in line')];
    await until(() => inFlight.text.split(' ').length > 3, 'a few words of the slow answer');
    const instance = r.fleet.get('x');
    const completed: AssistantMessage[] = [];
    r.fleet.onDidCompleteTurn((e) => completed.push(e.message));

    await api.kill('x');
    const errors = await Promise.all([inFlight, ...queued].map((h) => h.then(() => assert.fail(`'${h.prompt}' should fail`), (e: unknown) => e)));
    for (const [i, e] of errors.entries()) {
      assert.ok(e instanceof AskFailedError, `ask ${i} failed with an AskFailedError, not ${String(e)}`);
      assert.equal(e.kind, 'instance_killed', `ask ${i}`);
      assert.equal(e.message, "Instance 'x' was killed.", `ask ${i}`);
    }
    const [partial, ...waiting] = errors as AskFailedError[];
    assert.ok(partial.answer.text.length > 0 && slow.startsWith(partial.answer.text) && partial.answer.text.length < slow.length, `a partial answer: ${partial.answer.text}`);
    assert.equal(partial.answer.text, inFlight.text, 'all the text that arrived');
    assert.equal(partial.answer.status, 'cancelled');
    assert.deepEqual(instance.transcript.map((m) => m.text), ['talk slowly', partial.answer.text], 'the partial answer is in the transcript; the queued questions never were');
    assert.deepEqual(completed.map((m) => m.text), [partial.answer.text], 'views hear how the turn in flight ended');
    assert.deepEqual(waiting.map((e) => e.answer.text), ['', ''], 'a queued ask never started, so nothing arrived');
    assert.equal(r.fake.messageRequests().length, 1, 'the queued asks never reached the API');
  });

  it('a cancel still says Cancelled: only a kill says killed', async () => {
    const api = createApi(r.fleet);
    api.spawn('c', { backend: 'anthropic', model: HAIKU });
    r.fake.enqueue({ kind: 'hang', after: 2 });
    const handle = api.ask('c', 'go on');
    await until(() => handle.text.length > 0, 'the first words');
    api.cancel('c');
    const e = await handle.then(() => assert.fail('should fail'), (x: unknown) => x);
    assert.ok(e instanceof AskFailedError);
    assert.deepEqual([e.kind, e.message], ['cancelled', 'Cancelled.']);
  });
});
