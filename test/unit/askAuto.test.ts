// Ask-level auto ("Ask with Auto Model…"): one ask on an instance with a fixed model is routed as if the instance
// were auto, through a real Fleet with the router, fallback and ledger stages and the loopback fakes. The router's
// choice answers (and says why, in the note, the attempt and the ledger), the next plain ask goes back to the
// instance's own model, and both backends see one consistent transcript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerStage } from '../../src/core/cost/ledger';
import { FleetError } from '../../src/core/errors';
import type { AskOptions, TurnNotice } from '../../src/core/fleetTypes';
import { askTarget, checkAskOptions } from '../../src/core/routing/askRoute';
import { HealthRegistry } from '../../src/core/routing/health';
import { DEFAULT_FALLBACK, fallbackStage } from '../../src/core/routing/fallback';
import { AUTO_MODEL, Router } from '../../src/core/routing/router';
import type { TurnAttempt } from '../../src/core/transcript';
import { withLedgerRig } from './ledgerRig';
import type { MixedFleetRig } from './mixedRig';

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-ask-auto-');

const EASY = 'What is the capital of Australia?';
const HARD = 'This worker pool deadlocks when more than one job fails. Explain exactly why, and rewrite it so the first error cancels the others.';
const AUTO: AskOptions = { model: AUTO_MODEL };

/** A Fleet wired in the extension's order (router, fallback, ledger), with every note and attempt collected. */
async function fleet() {
  const router = new Router({ backends: () => ['anthropic', 'ollama'] });
  const fallback = fallbackStage({ health: new HealthRegistry(), settings: () => DEFAULT_FALLBACK });
  const { rig, rows } = await start({ stages: ({ ledger }) => [router.stage, fallback, ledgerStage(ledger)] });
  r = rig;
  const notes: string[] = [];
  const attempts: TurnAttempt[] = [];
  r.fleet.onDidTurnEvent((e: TurnNotice) => {
    if (e.event.type === 'note' && e.event.stage === 'router') notes.push(e.event.text);
    if (e.event.type === 'attempt') attempts.push(e.event.attempt);
  });
  return { notes, attempts, rows };
}

/** The texts of a chat request's messages, whatever the wire format's content shape. */
function texts(messages: ReadonlyArray<{ role: string; content: unknown }>): string[] {
  return messages.map((m) => (typeof m.content === 'string' ? m.content : (m.content as Array<{ text?: string }>).map((b) => b.text ?? '').join('')));
}

describe('ask with auto model', () => {
  it('routes one ask of a fixed-model instance, explains it, and the next plain ask uses the instance’s model', async () => {
    const { notes, attempts, rows } = await fleet();
    r!.fleet.spawn('fixed', { backend: 'anthropic', model: 'claude-sonnet-5' });

    const routed = await r!.fleet.ask('fixed', EASY, AUTO);
    assert.equal(routed.backend, 'ollama');
    assert.equal(routed.model, 'qwen2.5:7b');
    assert.equal(r!.ollama.chatRequests().filter((x) => x.path === '/api/chat').at(-1)?.body.model, 'qwen2.5:7b');
    assert.equal(r!.anthropic.messageRequests().length, 0);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^→ qwen2\.5:7b \(Ollama\): short lookup .*rule "clearly easy"$/);
    assert.deepEqual(attempts.map((a) => [a.backend, a.model, a.reason]), [['ollama', 'qwen2.5:7b', notes[0]]]);

    const plain = await r!.fleet.ask('fixed', 'And which city is the largest there?');
    assert.equal(plain.backend, 'anthropic');
    assert.equal(r!.anthropic.messageRequests().length, 1);
    const sent = r!.anthropic.messageRequests()[0].body;
    assert.equal(sent.model, 'claude-sonnet-5');
    // The instance's own backend is sent the whole transcript, the other backend's answer included.
    assert.deepEqual(texts(sent.messages), [EASY, routed.text, 'And which city is the largest there?']);
    assert.equal(notes.length, 1, 'the plain ask is not routed');
    assert.deepEqual(attempts.at(-1), { backend: 'anthropic', model: 'claude-sonnet-5' });

    const records = await rows();
    assert.deepEqual(records.map((x) => [x.backend, x.model, x.reason]), [['ollama', 'qwen2.5:7b', notes[0]], ['anthropic', 'claude-sonnet-5', undefined]]);

    const i = r!.fleet.get('fixed');
    assert.equal(i.spec.model, 'claude-sonnet-5');
    assert.deepEqual(i.transcript.map((m) => [m.role, m.role === 'assistant' ? `${m.backend}/${m.model}` : m.text]), [
      ['user', EASY],
      ['assistant', 'ollama/qwen2.5:7b'],
      ['user', 'And which city is the largest there?'],
      ['assistant', `anthropic/${plain.model}`],
    ]);
    assert.equal(i.transcript[1].text, routed.text);
  });

  it('routes from an Ollama home to a strong cloud model, and Ollama then sees that answer in its history', async () => {
    const { notes, rows } = await fleet();
    r!.fleet.spawn('local', { backend: 'ollama', model: 'llama3.2:3b' });
    const first = await r!.fleet.ask('local', 'Hello there.');
    assert.equal(first.backend, 'ollama');
    const routed = await r!.fleet.ask('local', HARD, AUTO);
    assert.equal(routed.backend, 'anthropic');
    assert.equal(r!.anthropic.messageRequests().at(-1)?.body.model, 'claude-sonnet-5');
    assert.deepEqual(texts(r!.anthropic.messageRequests().at(-1)!.body.messages), ['Hello there.', first.text, HARD]);
    assert.match(notes[0], /^→ claude-sonnet-5 \(Anthropic API\): hard coding/);

    const back = await r!.fleet.ask('local', 'Thanks. Summarize that in one line.');
    assert.equal(back.backend, 'ollama');
    const chat = r!.ollama.chatRequests().filter((x) => x.path === '/api/chat').at(-1)!.body;
    assert.equal(chat.model, 'llama3.2:3b');
    assert.deepEqual(texts(chat.messages), ['Hello there.', first.text, HARD, routed.text, 'Thanks. Summarize that in one line.']);
    assert.deepEqual((await rows()).map((x) => [x.backend, x.reason === undefined ? '-' : 'router']), [['ollama', '-'], ['anthropic', 'router'], ['ollama', '-']]);
  });

  it('refuses a model other than auto at once, sending and queueing nothing', async () => {
    await fleet();
    r!.fleet.spawn('fixed', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    assert.throws(
      () => r!.fleet.ask('fixed', EASY, { model: 'claude-opus-5' } as unknown as AskOptions),
      (e: unknown) => e instanceof FleetError && e.code === 'invalid_argument' && /can only be 'auto'.*not 'claude-opus-5'/.test(e.message),
    );
    assert.equal(r!.fleet.get('fixed').transcript.length, 0);
    assert.equal(r!.anthropic.messageRequests().length, 0);
  });
});

describe('askRoute', () => {
  it('targets auto on the instance’s backend only when asked, and keeps the budget override', () => {
    const spec = { backend: 'claudeCode', model: 'sonnet' } as const;
    assert.deepEqual(askTarget(spec, checkAskOptions(undefined)), spec);
    assert.deepEqual(askTarget(spec, checkAskOptions({ model: AUTO_MODEL })), { backend: 'claudeCode', model: AUTO_MODEL });
    assert.deepEqual(checkAskOptions({ model: AUTO_MODEL, overrideBudget: true }), { model: AUTO_MODEL, overrideBudget: true });
    assert.deepEqual(checkAskOptions({ overrideBudget: false }), {});
    assert.throws(() => checkAskOptions('auto' as unknown as AskOptions), /Ask options must be an object, not a string/);
    assert.throws(() => checkAskOptions({ model: 3 } as unknown as AskOptions), /not a number/);
  });
});
