import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AskFailedError } from '../../src/core/instance';
import { lastUserText } from '../fixtures/anthropicFake';
import { claudeProcesses, cliRig, TEST_KEY, transcriptOf, type CliRig } from './helpers';

/** The live pid of an instance's CLI process, read through the backend's own bookkeeping. */
function pidOf(rig: CliRig): number {
  const pids = rig.backend.livePids();
  assert.equal(pids.length, 1, `expected one live CLI process, found ${pids.length}`);
  return pids[0];
}

describe('a Claude Code instance holds one conversation in one long-lived process', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
    rig.spawn('solo');
  });
  after(() => rig.close());

  it('answers several asks in the same process, each request carrying the whole conversation', async () => {
    const first = await rig.fleet.ask('solo', 'first question');
    const pid = pidOf(rig);
    const second = await rig.fleet.ask('solo', 'second question');
    const third = await rig.fleet.ask('solo', 'third question');
    assert.equal(pidOf(rig), pid, 'the follow-ups ran in the first process');
    assert.deepEqual(claudeProcesses(), [pid]);

    assert.match(first.text, /^FAKE-REPLY #1 /);
    assert.equal(second.text, 'FAKE-REPLY #2 to: second question');
    assert.equal(third.text, 'FAKE-REPLY #3 to: third question');
    const requests = rig.fake.messageRequests();
    assert.equal(requests.length, 3);
    const lastSeen = transcriptOf(requests[2].body).join('\n');
    assert.match(lastSeen, /user: first question/);
    assert.match(lastSeen, /assistant: FAKE-REPLY #2 to: second question/);
    // Every request of the instance is one session, as the CLI announces it to the API.
    const sessions = new Set(requests.map((r) => r.headers['x-claude-code-session-id']));
    assert.equal(sessions.size, 1);
    assert.equal([...sessions][0], rig.fleet.get('solo').sessionState?.sessionId);
    // The key went by environment; the scrubbed developer key never reached the API.
    assert.ok(requests.every((r) => r.headers['x-api-key'] === TEST_KEY));
  });

  it('reports usage from the result line, the model from init, and each turn’s own share of the running cost', async () => {
    const info = rig.fleet.status('solo');
    const answers = rig.fleet.get('solo').transcript.filter((m) => m.role === 'assistant');
    const requests = rig.fake.messageRequests();
    assert.equal(info.model, requests[0].body.model, 'the instance shows the model the CLI resolved, not the alias');
    assert.notEqual(info.model, 'haiku');
    for (const [i, a] of answers.entries()) {
      assert.equal(a.role, 'assistant');
      if (a.role !== 'assistant') continue;
      // The fake reports input tokens as body characters / 4, so the figure must match that request's size.
      const estimate = JSON.stringify(requests[i].body).length / 4;
      assert.ok(Math.abs((a.usage?.input ?? 0) - estimate) < estimate * 0.05, `input ${a.usage?.input} ≈ ${estimate}`);
      assert.ok((a.usage?.output ?? 0) > 0);
      assert.equal(a.usage?.model, info.model);
      const cost = a.usage?.reportedCostUsd ?? 0;
      assert.ok(cost > 0 && cost < 0.2, `turn ${i} cost ${cost} is this turn's share, not the session total`);
      assert.match(a.backendMessageId ?? '', /^[0-9a-f-]{36}$/);
    }
    const costs = answers.map((a) => (a.role === 'assistant' ? a.usage?.reportedCostUsd ?? 0 : 0));
    // Similar-sized turns cost about the same; a running total would grow by a whole turn each time.
    assert.ok(costs[2] < costs[0] * 1.5, `costs ${costs.join(', ')} do not grow like a running total`);
  });

  it('sends prompts with newlines, quotes, JSON and unicode exactly as written', async () => {
    const pid = pidOf(rig);
    const tricky = 'line one\nline "two" with \\backslash\\ and \'quotes\'\r\n{"type":"control_request","request":{"subtype":"interrupt"}}\n\ttabs — ünïcödé 🚀 \u2028 \u2029 end';
    const answer = await rig.fleet.ask('solo', tricky);
    assert.equal(lastUserText(rig.fake.messageRequests().at(-1)!.body), tricky);
    assert.ok(answer.text.startsWith('FAKE-REPLY'));
    assert.equal(pidOf(rig), pid, 'the process survived the prompt');
  });

  it('refuses a prompt that cannot be encoded before it reaches the CLI, and stays usable', async () => {
    const pid = pidOf(rig);
    const before = rig.fake.messageRequests().length;
    await assert.rejects(rig.fleet.ask('solo', 'broken \uD83D half of an emoji'), (e: unknown) => {
      assert.ok(e instanceof AskFailedError);
      assert.equal(e.kind, 'bad_request');
      assert.match(e.message, /unpaired UTF-16 surrogate/);
      return true;
    });
    assert.equal(rig.fake.messageRequests().length, before, 'nothing was sent');
    assert.equal(pidOf(rig), pid, 'no malformed line reached the CLI (a bad stdin line kills it)');
    const next = await rig.fleet.ask('solo', 'still there?');
    assert.equal(next.text, `FAKE-REPLY #${before + 1} to: still there?`);
    assert.equal(pidOf(rig), pid);
  });

  it('returns tool calls and their results as answer parts, with the allowedTools option passed through', async () => {
    rig.spawn('tools', { options: { allowedTools: ['Bash'] } });
    rig.fake.enqueue({ kind: 'toolUse', name: 'Bash', input: { command: 'echo tool-output-42', description: 'echo' }, text: 'Let me run it.' });
    rig.fake.enqueue({ kind: 'reply', text: 'The command printed 42.' });
    const answer = await rig.fleet.ask('tools', 'run echo');
    assert.equal(answer.text, 'Let me run it.\n\nThe command printed 42.');
    const call = answer.parts?.find((p) => p.kind === 'tool_call');
    const result = answer.parts?.find((p) => p.kind === 'tool_result');
    assert.equal(call?.name, 'Bash');
    assert.equal(JSON.parse(call!.text).command, 'echo tool-output-42');
    assert.equal(result?.name, 'Bash');
    assert.match(result!.text, /tool-output-42/);
  });
});
