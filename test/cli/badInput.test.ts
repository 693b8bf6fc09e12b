import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClaudeCodeBackend } from '../../src/core/backends/claudeCode';
import { BackendError, FleetError } from '../../src/core/errors';
import { AskFailedError } from '../../src/core/instance';
import { lastUserText } from '../fixtures/anthropicFake';
import { CLAUDE_BIN, cliRig, type CliRig } from './helpers';

describe('bad input gets a clear error and leaves the instance usable', () => {
  let rig: CliRig;
  let binary: string | undefined = '/nonexistent/bin/claude';
  before(async () => {
    rig = await cliRig({ backend: { binaryPath: () => binary } });
  });
  after(() => rig.close());

  it('a missing binary: says where it looked and how to install, then works once the path is fixed', async () => {
    rig.spawn('b');
    const e = await rig.fleet.ask('b', 'hello').then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof AskFailedError);
    assert.equal(e.kind, 'not_found');
    assert.match(e.message, /not found at '\/nonexistent\/bin\/claude'/);
    assert.match(e.hint ?? '', /npm install -g @anthropic-ai\/claude-code/);
    assert.match(e.hint ?? '', /llmFleet\.claudeCode\.path/);
    binary = CLAUDE_BIN;
    const answer = await rig.fleet.ask('b', 'hello again');
    assert.match(answer.text, /^FAKE-REPLY/);
    assert.match(lastUserText(rig.fake.messageRequests().at(-1)!.body), /hello again$/);
  });

  it('a binary that is not executable', async () => {
    const file = join(rig.workDir, 'claude-not-executable');
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, 0o644);
    binary = file;
    rig.spawn('c');
    const e = await rig.fleet.ask('c', 'hello').then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof AskFailedError);
    assert.equal(e.kind, 'not_found');
    assert.match(e.message, /is not executable/);
    assert.match(e.hint ?? '', /chmod \+x/);
    binary = CLAUDE_BIN;
    assert.match((await rig.fleet.ask('c', 'retry')).text, /^FAKE-REPLY/);
    assert.match(lastUserText(rig.fake.messageRequests().at(-1)!.body), /retry$/);
  });

  it('no binary configured and none on PATH', async () => {
    const backend = new ClaudeCodeBackend({ baseEnv: { PATH: rig.workDir } });
    await assert.rejects(backend.resolveBinary(), (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.match(e.message, /\('claude'\) was not found on PATH/);
      assert.match(e.hint ?? '', /npm install -g @anthropic-ai\/claude-code/);
      return true;
    });
  });

  it('a CLI that prints a non-JSON line: the turn fails clearly, the next ask works', async () => {
    // A wrapper in front of the real binary, as version-manager shims are; it prints noise once, then execs claude.
    const wrapper = join(rig.workDir, 'noisy-claude');
    const marker = join(rig.workDir, 'noise-printed');
    await writeFile(wrapper, `#!/bin/sh\nif [ ! -e '${marker}' ]; then touch '${marker}'; echo 'Welcome to the shim!'; fi\nexec '${CLAUDE_BIN}' "$@"\n`);
    await chmod(wrapper, 0o755);
    binary = wrapper;
    rig.spawn('noisy');
    const e = await rig.fleet.ask('noisy', 'hello').then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof AskFailedError);
    assert.equal(e.kind, 'server');
    assert.match(e.message, /printed a line that is not JSON: "Welcome to the shim!"/);
    assert.match(e.hint ?? '', /not a wrapper/);
    assert.match(e.answer.text, /FAKE-REPLY/, 'the answer that did arrive is kept');
    const pid = rig.backend.pidOf('noisy');
    const answer = await rig.fleet.ask('noisy', 'and now?');
    assert.match(answer.text, /and now\?$/);
    assert.equal(rig.backend.pidOf('noisy'), pid, 'same process: it stayed in step');
    binary = CLAUDE_BIN;
  });

  it('wrong options are refused at spawn, naming the option', () => {
    assert.throws(() => rig.spawn('opt1', { options: { permissionMode: 'yolo' } }), (e: unknown) => e instanceof FleetError && /permissionMode must be one of/.test(e.message));
    assert.throws(() => rig.spawn('opt2', { options: { maxTurns: 0 } }), /maxTurns must be a positive whole number/);
    assert.throws(() => rig.spawn('opt3', { options: { allowedTools: ['--evil'] } }), /allowedTools must be a list/);
    assert.throws(() => rig.spawn('opt4', { options: { cwd: 'relative/dir' } }), /cwd must be an absolute path/);
    assert.throws(() => rig.spawn('opt5', { options: { permisionMode: 'plan' } }), /'permisionMode' is not known/);
    assert.equal(rig.fleet.has('opt1'), false);
  });

  it('an API-key instance without a key fails with an auth hint, and the scrubbed env never leaks a key', async () => {
    const backend = new ClaudeCodeBackend({ ...rig.backendOptions(), getApiKey: async () => undefined });
    const session = backend.openSession({ instanceName: 'nokey', model: 'haiku', role: 'general', options: { billing: 'apiKey' } });
    const history = [{ id: 'u', role: 'user' as const, text: 'hi', at: 0 }];
    await assert.rejects(session.runTurn({ history, signal: new AbortController().signal }, { delta: () => {} }), (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /no key is set/);
      return true;
    });
    await session.dispose();
    // Subscription billing: the developer's key in the base env is scrubbed, so the CLI is "not logged in".
    rig.spawn('subscription', { options: { billing: 'subscription' } });
    const e = await rig.fleet.ask('subscription', 'hi').then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof AskFailedError);
    assert.equal(e.kind, 'auth', e.message);
    assert.ok(rig.fake.messageRequests().every((r) => r.headers['x-api-key'] !== 'sk-must-be-scrubbed'));
  });
});
