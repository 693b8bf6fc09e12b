// Ask with Auto Model on a Claude Code instance, with the real CLI and the real router: the routed ask leaves the
// CLI for the Anthropic API (the router sees only the API set up here), which is sent the transcript as messages;
// the next plain ask goes back to the CLI, whose process never saw that turn, so it starts over seeded with the text
// transcript, as after a fallback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { AUTO_MODEL, Router } from '../../src/core/routing/router';
import { promptText } from '../fixtures/anthropicFake';
import { cliRig, TEST_KEY, transcriptOf, type CliRig } from './helpers';

const EASY = 'What is the capital of Australia?';

describe('ask with auto model on a Claude Code instance', () => {
  let rig: CliRig;
  const notes: string[] = [];
  before(async () => {
    const router = new Router({ backends: () => ['anthropic'] });
    rig = await cliRig({
      fleet: { stages: [router.stage] },
      extraBackends: (fake) => [new AnthropicBackend({ getApiKey: async () => TEST_KEY, baseURL: fake.url, maxRetries: 0 })],
    });
    rig.fake.fallback = (req) => ({ kind: 'reply', text: `reply to ${promptText(req.body).trim().split('\n').at(-1)}` });
    rig.fleet.onDidTurnEvent((e) => e.event.type === 'note' && e.event.stage === 'router' && notes.push(e.event.text));
  });
  after(() => rig.close());

  const lastFrom = (who: 'cli' | 'sdk') =>
    rig.fake.messageRequests().filter((r) => /claude-cli|claude-code/i.test(String(r.headers['user-agent'])) === (who === 'cli')).at(-1)!;

  it('answers the routed ask on the API with the transcript, then seeds a fresh CLI session with it', async () => {
    rig.spawn('coder', { model: 'sonnet' });
    const one = await rig.fleet.ask('coder', 'one');
    assert.equal(one.backend, 'claudeCode');
    const firstPid = rig.backend.pidOf('coder');
    assert.ok(firstPid);

    const routed = await rig.fleet.ask('coder', EASY, { model: AUTO_MODEL });
    assert.deepEqual([routed.backend, routed.model], ['anthropic', 'claude-haiku-4-5']);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^→ claude-haiku-4-5 \(Anthropic API\): short lookup/);
    assert.deepEqual(transcriptOf(lastFrom('sdk').body), ['user: one', 'assistant: reply to one', `user: ${EASY}`]);

    const three = await rig.fleet.ask('coder', 'three');
    assert.equal(three.backend, 'claudeCode');
    assert.match(String(lastFrom('cli').body.model), /sonnet/, 'back on the instance’s own model');
    const seeded = transcriptOf(lastFrom('cli').body).join('\n');
    for (const earlier of ['one', 'reply to one', EASY, routed.text]) assert.ok(seeded.includes(earlier), `the seeded prompt carries "${earlier}":\n${seeded}`);
    assert.notEqual(rig.backend.pidOf('coder'), firstPid, 'a new CLI process for the new session');
    assert.equal(notes.length, 1, 'the plain ask is not routed');
    assert.equal(rig.fleet.get('coder').spec.model, 'sonnet');
  });
});
