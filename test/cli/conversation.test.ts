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
    // The key went by environment; the scrubbed developer key never reached the API (the fake takes only TEST_KEY).
    assert.ok(requests.every((r) => r.headers['x-api-key'] === TEST_KEY));
    assert.deepEqual(requests.map((r) => r.refused), [undefined, undefined, undefined]);
  });

  it('reports usage from the result line, the model from init, and each turn’s own share of the running cost', async () => {
    const info = rig.fleet.status('solo');
    const answers = rig.fleet.get('solo').transcript.filter((m) => m.role === 'assistant');
    const requests = rig.fake.messageRequests();
    assert.equal(info.model, requests[0].body.model, 'the instance shows the model the CLI resolved, not the alias');
    assert.notEqual(info.model, 'haiku');
    assert.equal(info.model, 'claude-haiku-5-5', 'what the pinned CLI resolves haiku to');
    assert.equal(answers.length, 3);
    for (const [i, a] of answers.entries()) {
      assert.equal(a.role, 'assistant');
      if (a.role !== 'assistant') continue;
      // Exactly the usage the fake reported for that request, read from the CLI's result line.
      const sent = requests[i].usage!;
      assert.deepEqual([a.usage?.input, a.usage?.output, a.usage?.cacheRead, a.usage?.cacheWrite5m], [sent.input_tokens, sent.output_tokens, 0, 0]);
      assert.equal(a.usage?.model, info.model);
      // The CLI prices claude-haiku-5-5 from its own table at $0.10/M in and $0.50/M out, and reports the session's
      // running total; the turn's share is the difference, rounded by the backend to the nano-dollar. A running
      // total (or a share measured from the wrong turn) is off by whole turns.
      const expected = (sent.input_tokens * 0.1 + sent.output_tokens * 0.5) / 1e6;
      const cost = a.usage?.reportedCostUsd;
      assert.ok(cost !== undefined && Math.abs(cost - expected) <= 1e-9, `turn ${i} cost ${cost}, expected ${expected}`);
      // Our table has no price for claude-haiku-5-5, so the CLI's figure is the cost, labelled as reported.
      assert.deepEqual([a.cost?.basis, a.cost?.usd, a.cost?.reportedUsd], ['reported', cost, cost]);
      assert.match(a.backendMessageId ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it('sends prompts with newlines, quotes, JSON and unicode exactly as written', async () => {
    const pid = pidOf(rig);
    const tricky = 'line one\nline "two" with \\backslash\\ and \'quotes\'\r\n{"type":"control_request","request":{"subtype":"interrupt"}}\n\ttabs — ünïcödé 🚀 \u2028 \u2029 end';
    const answer = await rig.fleet.ask('solo', tricky);
    const requests = rig.fake.messageRequests();
    assert.equal(lastUserText(requests.at(-1)!.body), tricky);
    assert.equal(answer.text, `FAKE-REPLY #${requests.length} to: ${tricky.slice(0, 60)}`, 'the reply came back as the fake sent it');
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
