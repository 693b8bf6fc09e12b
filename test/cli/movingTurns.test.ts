// A turn may move to another backend for one ask (the router and fallbacks will do this). A Claude Code process
// keeps its own context, so a session that missed turns answered elsewhere must start over, seeded with the whole
// transcript; one that saw everything keeps its process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import type { TurnStage } from '../../src/core/turn/types';
import { promptText } from '../fixtures/anthropicFake';
import { cliRig, TEST_KEY, transcriptOf, type CliRig } from './helpers';

const API_MODEL = 'claude-haiku-4-5';

/** Sends asks that start with "api:" to the Anthropic API, everything else to the instance's own backend. */
const router: TurnStage = (req, next) =>
  req.history.at(-1)!.text.startsWith('api:') ? next({ ...req, target: { backend: 'anthropic', model: API_MODEL }, reason: 'asked for the API' }) : next(req);

describe('turns that move between Claude Code and the Anthropic API', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig({
      fleet: { stages: [router] },
      extraBackends: (fake) => [new AnthropicBackend({ getApiKey: async () => TEST_KEY, baseURL: fake.url, maxRetries: 0 })],
    });
    // A seeded prompt ends with the new question: the reply names only that.
    rig.fake.fallback = (req) => ({ kind: 'reply', text: `reply to ${promptText(req.body).trim().split('\n').at(-1)}` });
  });
  after(() => rig.close());

  /** The last message request that `who` sent ('cli' or 'sdk'), by the client's user agent. */
  const lastFrom = (who: 'cli' | 'sdk') =>
    rig.fake.messageRequests().filter((r) => /claude-cli|claude-code/i.test(String(r.headers['user-agent'])) === (who === 'cli')).at(-1)!;

  it('seeds a fresh CLI session with the turns the API answered, and keeps a session that saw everything', async () => {
    rig.spawn('traveler');
    const one = await rig.fleet.ask('traveler', 'one');
    assert.equal(one.backend, 'claudeCode');
    const firstPid = rig.backend.pidOf('traveler');
    assert.ok(firstPid);

    const two = await rig.fleet.ask('traveler', 'api: two');
    assert.equal(two.backend, 'anthropic', 'the router sent it to the API');
    assert.equal(two.model, API_MODEL);
    assert.deepEqual(transcriptOf(lastFrom('sdk').body), ['user: one', 'assistant: reply to one', 'user: api: two']);

    // The CLI's process never saw "api: two": it starts over, and its first prompt carries the whole transcript.
    const three = await rig.fleet.ask('traveler', 'three');
    assert.equal(three.backend, 'claudeCode');
    const seeded = transcriptOf(lastFrom('cli').body).join('\n');
    for (const earlier of ['one', 'reply to one', 'api: two', 'reply to api: two']) assert.ok(seeded.includes(earlier), `the seeded prompt carries "${earlier}":\n${seeded}`);
    assert.ok(seeded.includes('three'));
    assert.notEqual(rig.backend.pidOf('traveler'), firstPid, 'a new process for the new session');

    // Nothing was answered elsewhere since: the same process goes on, and sends only what is new to it.
    const pid = rig.backend.pidOf('traveler');
    await rig.fleet.ask('traveler', 'four');
    assert.equal(rig.backend.pidOf('traveler'), pid);
    const status = rig.fleet.status('traveler');
    assert.equal(status.messageCount, 8);
    assert.deepEqual(rig.fleet.get('traveler').transcript.filter((m) => m.role === 'assistant').map((m) => m.role === 'assistant' && m.backend), ['claudeCode', 'anthropic', 'claudeCode', 'claudeCode']);
  });
});
