import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClaudeCodeBackend } from '../../src/core/backends/claudeCode';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { MemoryStore } from '../../src/core/store';
import { claudeProcesses, cliRig, transcriptOf, type CliRig } from './helpers';

describe('Claude Code sessions: fork, fork at a message, resume after a reload', () => {
  let rig: CliRig;
  const store = new MemoryStore();
  before(async () => {
    rig = await cliRig({ store });
    rig.spawn('parent');
    await rig.fleet.ask('parent', 'alpha');
    await rig.fleet.ask('parent', 'beta');
  });
  after(() => rig.close());

  it('forks with the inherited history, and leaves the parent untouched', async () => {
    await rig.fleet.fork('parent', 'child');
    const parentId = rig.fleet.get('parent').sessionState?.sessionId;
    await rig.fleet.ask('child', 'child-only question');
    const childSeen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.match(childSeen, /user: alpha/);
    assert.match(childSeen, /user: beta/);
    assert.match(childSeen, /assistant: FAKE-REPLY #2 to: beta/);
    assert.match(childSeen, /user: child-only question/);
    const childId = rig.fleet.get('child').sessionState?.sessionId;
    assert.notEqual(childId, parentId);
    assert.equal(rig.fake.messageRequests().at(-1)!.headers['x-claude-code-session-id'], childId);

    await rig.fleet.ask('parent', 'gamma');
    const parentSeen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.match(parentSeen, /user: beta/);
    assert.doesNotMatch(parentSeen, /child-only/);
    assert.equal(rig.fleet.get('parent').sessionState?.sessionId, parentId);
  });

  it('forks at an earlier answer with --resume-session-at: the child sees nothing after it', async () => {
    const firstAnswer = rig.fleet.get('parent').transcript.find((m) => m.role === 'assistant')!;
    await rig.fleet.fork('parent', 'early', { atMessage: firstAnswer.id });
    await rig.fleet.ask('early', 'from the first answer');
    const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.match(seen, /user: alpha/);
    assert.match(seen, /user: from the first answer/);
    assert.doesNotMatch(seen, /beta|gamma|child-only/);
  });

  it('pins a fork of the latest message, so parent turns after the fork never leak into it', async () => {
    await rig.fleet.fork('parent', 'pinned');
    await rig.fleet.ask('parent', 'after-the-fork');
    await rig.fleet.ask('pinned', 'pinned question');
    const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
    assert.match(seen, /user: gamma/);
    assert.doesNotMatch(seen, /after-the-fork/);
  });

  it('says clearly that it cannot fork at a question (no Claude Code message id there)', async () => {
    const question = rig.fleet.get('parent').transcript.find((m) => m.role === 'user')!;
    await assert.rejects(rig.fleet.fork('parent', 'at-question', { atMessage: question.id }), /can fork only at one of its own answers/);
    assert.equal(rig.fleet.has('at-question'), false);
  });

  it('resumes every instance after the Fleet restarts (a window reload), in new processes', async () => {
    const before = rig.fleet.list().map((i) => [i.name, String(rig.fleet.get(i.name).sessionState?.sessionId)] as const);
    const oldPids = claudeProcesses();
    assert.deepEqual([...oldPids].sort(), [...rig.backend.livePids()].sort());
    assert.equal(oldPids.length, before.length, `one process per instance (${before.map(([n]) => n).join(', ')})`);
    await rig.fleet.shutdown();
    assert.deepEqual(claudeProcesses(), [], 'shutdown leaves no claude process');

    const fleet = new Fleet({ backends: [new ClaudeCodeBackend(rig.backendOptions())], store });
    try {
      const { restored } = await fleet.restore();
      assert.deepEqual(restored.sort(), before.map(([n]) => n).sort());
      for (const [name, id] of before) assert.equal(fleet.get(name).sessionState?.sessionId, id);
      const answer = await fleet.ask('parent', 'after reload');
      const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
      assert.match(seen, /user: alpha[\s\S]*user: after-the-fork[\s\S]*user: after reload/);
      assert.doesNotMatch(seen, /continues one held elsewhere/, 'resumed by the CLI, not re-seeded as text');
      assert.equal(rig.fake.messageRequests().at(-1)!.headers['x-claude-code-session-id'], before.find(([n]) => n === 'parent')![1]);
      assert.match(answer.text, /to: after reload/);
      assert.ok(claudeProcesses().every((p) => !oldPids.includes(p)));
    } finally {
      await fleet.shutdown();
    }
    assert.deepEqual(claudeProcesses(), []);
  });

  it('reports an unknown session id on resume clearly, then starts over seeded with the transcript', async () => {
    const lost = randomUUID();
    const saved = store.saved.get('parent')!;
    store.saved.set('lost', { ...saved, name: 'lost', session: { ...saved.session, sessionId: lost, resumable: true } });
    const fleet = new Fleet({ backends: [new ClaudeCodeBackend(rig.backendOptions())], store });
    try {
      await fleet.restore();
      await assert.rejects(fleet.ask('lost', 'are you there?'), (e: unknown) => {
        assert.ok(e instanceof AskFailedError);
        assert.equal(e.kind, 'not_found');
        assert.match(e.message, new RegExp(`could not resume.*${lost}`));
        assert.match(e.hint ?? '', /new Claude Code session/);
        return true;
      });
      assert.equal(fleet.status('lost').status, 'error');
      const answer = await fleet.ask('lost', 'second try');
      const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
      assert.match(seen, /continues one held elsewhere[\s\S]*<user>\nalpha\n<\/user>[\s\S]*The new message:\n\nsecond try/);
      assert.match(answer.text, /FAKE-REPLY/);
      assert.notEqual(fleet.get('lost').sessionState?.sessionId, lost);
      assert.equal(fleet.status('lost').status, 'idle');
    } finally {
      await fleet.shutdown();
    }
  });
});

describe('a fork to Claude Code from another backend', () => {
  it('seeds the new session with the text transcript in its first prompt', async () => {
    const rig = await cliRig();
    try {
      rig.spawn('source');
      await rig.fleet.ask('source', 'remember the word heliotrope');
      // A session the CLI never saw stands in for another backend: its child has history but no CLI state.
      const backend = rig.backend;
      const session = backend.openSession({ instanceName: 'seeded', model: 'haiku', role: 'general', options: { billing: 'apiKey' } });
      const history = [...rig.fleet.get('source').transcript, { id: 'u2', role: 'user' as const, text: 'which word?', at: Date.now() }];
      const out = await session.runTurn({ history, signal: new AbortController().signal }, { delta: () => {} });
      const seen = transcriptOf(rig.fake.messageRequests().at(-1)!.body).join('\n');
      assert.match(seen, /<user>\nremember the word heliotrope\n<\/user>\n\n<assistant>\nFAKE-REPLY #1/);
      assert.match(seen, /The new message:\n\nwhich word\?/);
      assert.equal(out.usage.input, rig.fake.messageRequests().at(-1)!.usage?.input_tokens, 'the usage the fake reported for the seeded request');
      await session.dispose();
    } finally {
      await rig.close();
    }
  });
});
