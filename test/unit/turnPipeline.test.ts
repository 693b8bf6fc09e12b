// The turn pipeline: stages run in order around the session, and each can change the target, answer without
// sending, try another target, or watch. Real SDKs against the loopback fakes.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { BackendError } from '../../src/core/errors';
import { AskFailedError } from '../../src/core/instance';
import { TurnPipeline } from '../../src/core/turn/pipeline';
import type { TurnEvent, TurnStage } from '../../src/core/turn/types';
import { lastUserText } from '../fixtures/anthropicFake';
import { HAIKU } from './helpers';
import { mixedFleetRig, type MixedFleetRig } from './mixedRig';

const QWEN = 'qwen2.5:7b';
let r: MixedFleetRig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** The messages an Ollama request carried, as role and text. */
const ollamaSaw = (rig: MixedFleetRig) => (rig.ollama.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>).map((m) => [m.role, m.content]);

describe('the turn pipeline', () => {
  it('runs its stages in order, each around the next, and the session last', async () => {
    const order: string[] = [];
    const stage = (name: string): TurnStage => async (req, next) => {
      order.push(`${name} in`);
      const result = await next(req);
      order.push(`${name} out`);
      return result;
    };
    r = await mixedFleetRig(undefined, { stages: [stage('a'), stage('b'), stage('c')] });
    r.anthropic.fallback = (req) => {
      order.push('session');
      return { kind: 'reply', text: `answer to ${lastUserText(req.body)}` };
    };
    r.fleet.spawn('p', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r.fleet.ask('p', 'hi')).text, 'answer to hi');
    assert.deepEqual(order, ['a in', 'b in', 'c in', 'session', 'c out', 'b out', 'a out']);
  });

  it('a stage that changes the target moves the turn from Anthropic to Ollama, which receives the whole transcript', async () => {
    let switchNext = false;
    const router: TurnStage = (req, next, emit) => {
      if (!switchNext) return next(req);
      emit({ type: 'note', stage: 'router', text: 'local model for a short lookup' });
      return next({ ...req, target: { backend: 'ollama', model: QWEN }, reason: 'short lookup' });
    };
    r = await mixedFleetRig(undefined, { stages: [router] });
    r.anthropic.fallback = (req) => ({ kind: 'reply', text: `claude on ${lastUserText(req.body)}`, usage: { input_tokens: 10, output_tokens: 4 } });
    r.ollama.enqueue({ kind: 'reply', deltas: ['qwen ', 'here'], promptEvalCount: 30, evalCount: 2 });
    const notes: TurnEvent[] = [];
    r.fleet.onDidTurnEvent((e) => notes.push(e.event));
    r.fleet.spawn('mover', { backend: 'anthropic', model: HAIKU, systemPrompt: 'Be brief.' });
    const first = await r.fleet.ask('mover', 'first question');
    assert.equal(first.backend, 'anthropic');

    switchNext = true;
    const second = await r.fleet.ask('mover', 'second question');
    assert.equal(second.text, 'qwen here');
    assert.equal(second.backend, 'ollama', 'the answer records which backend answered');
    assert.equal(second.model, QWEN);
    assert.deepEqual(ollamaSaw(r), [
      ['system', 'Be brief.'],
      ['user', 'first question'],
      ['assistant', 'claude on first question'],
      ['user', 'second question'],
    ]);
    assert.equal(r.anthropic.messageRequests().length, 1, 'the second turn never reached Anthropic');

    const status = r.fleet.status('mover');
    assert.equal(status.messageCount, 4);
    assert.deepEqual(r.fleet.get('mover').transcript.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    assert.equal(status.usage.input, 10 + 30);
    assert.equal(status.usage.output, 4 + 2);
    assert.equal(status.cost.usd, first.cost!.usd, 'the local answer costs $0 and adds nothing');
    assert.deepEqual([second.cost?.usd, second.cost?.basis], [0, 'local'], 'priced as the local backend that answered');
    assert.deepEqual(notes.filter((e) => e.type === 'note'), [{ type: 'note', stage: 'router', text: 'local model for a short lookup' }]);
    assert.deepEqual(notes.filter((e) => e.type === 'attempt').map((e) => e.type === 'attempt' && [e.attempt.backend, e.attempt.reason]), [['anthropic', undefined], ['ollama', 'short lookup']]);

    switchNext = false;
    const third = await r.fleet.ask('mover', 'third question');
    assert.equal(third.backend, 'anthropic', 'the next turn goes home again');
    const sent = (r.anthropic.messageRequests().at(-1)!.body.messages as Array<{ role: string; content: unknown }>).map((m) => m.role);
    assert.deepEqual(sent, ['user', 'assistant', 'user', 'assistant', 'user'], 'Anthropic sees the Ollama turn too');
  });

  it('a stage that refuses before sending: the fake sees no request, and the ask fails with the stage\'s error', async () => {
    const budget: TurnStage = async () => {
      throw new BackendError('bad_request', 'This ask would cross the daily cap.', { hint: 'Raise the cap.' });
    };
    r = await mixedFleetRig(undefined, { stages: [budget] });
    r.fleet.spawn('capped', { backend: 'anthropic', model: HAIKU });
    const error = await r.fleet.ask('capped', 'expensive').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AskFailedError);
    assert.equal(error.kind, 'bad_request');
    assert.equal(error.message, 'This ask would cross the daily cap.');
    assert.equal(error.hint, 'Raise the cap.');
    assert.equal(r.anthropic.messageRequests().length, 0);
    assert.equal(r.fleet.status('capped').status, 'error');
  });

  it('a stage that retries on another target after a failure: both attempts are recorded, the last one answered', async () => {
    const fallback: TurnStage = async (req, next) => {
      try {
        return await next(req);
      } catch (e) {
        const first = { backend: req.target.backend, model: req.target.model, error: { kind: (e as BackendError).kind, message: (e as Error).message } };
        const result = await next({ ...req, target: { backend: 'ollama', model: QWEN }, reason: 'fallback after overloaded' });
        return { ...result, attempts: [first, ...result.attempts] };
      }
    };
    r = await mixedFleetRig(undefined, { stages: [fallback] });
    r.anthropic.enqueue({ kind: 'status', status: 529 });
    r.ollama.enqueue({ kind: 'reply', deltas: ['rescued'] });
    r.fleet.spawn('resilient', { backend: 'anthropic', model: HAIKU });
    const answer = await r.fleet.ask('resilient', 'help');
    assert.equal(answer.text, 'rescued');
    assert.equal(answer.backend, 'ollama');
    assert.deepEqual(answer.attempts?.map((a) => [a.backend, a.error?.kind ?? 'answered']), [['anthropic', 'overloaded'], ['ollama', 'answered']]);
    assert.equal(answer.attempts?.[1].reason, 'fallback after overloaded');
    assert.equal(r.fleet.status('resilient').status, 'idle');
  });

  it('a stage that observes every event sees the attempt, each delta and the result, in order', async () => {
    const seen: string[] = [];
    const observer: TurnStage = (req, next) =>
      next(req).then((result) => {
        seen.push(`result ${result.backend} ${result.text}`);
        return result;
      });
    // It hands the rest of the pipeline its own emit, so it sees their events as they happen, and passes them on.
    const tap: TurnStage = (req, next, emit) =>
      next(req, (e) => {
        seen.push(e.type === 'delta' ? `delta ${e.text}` : e.type);
        emit(e);
      });
    const after: TurnStage = (req, next) => next(req);
    r = await mixedFleetRig(undefined, { stages: [observer, tap, after] });
    r.anthropic.enqueue({ kind: 'reply', deltas: ['one ', 'two ', 'three'] });
    r.fleet.spawn('watched', { backend: 'anthropic', model: HAIKU });
    const streamed: string[] = [];
    r.fleet.onDidStream((e) => streamed.push(e.delta));
    await r.fleet.ask('watched', 'count');
    assert.deepEqual(streamed, ['one ', 'two ', 'three'], 'the tap passed every delta on');
    assert.deepEqual(seen, ['attempt', 'model', 'delta one ', 'delta two ', 'delta three', 'result anthropic one two three']);
  });

  it('an empty pipeline is the session itself', async () => {
    const pipeline = new TurnPipeline();
    assert.equal(pipeline.size, 0);
    const request = { askId: 'a' } as never;
    const result = { text: 'x' } as never;
    assert.equal(await pipeline.run(request, () => {}, async (req) => (req === request ? result : (undefined as never))), result);
  });
});
