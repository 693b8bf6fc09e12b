import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../src/core/errors';
import { nameProblem } from '../../src/core/names';
import { HAIKU, rig, type Rig } from './helpers';

const code = (c: string, message: RegExp) => (e: unknown) => e instanceof FleetError && e.code === c && message.test(e.message);

describe('bad input gets a clear, specific error', () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(async () => r.close());

  it('validates names', () => {
    assert.equal(nameProblem('worker-1.b_2'), undefined);
    assert.match(nameProblem('')!, /required/);
    assert.match(nameProblem('   ')!, /required/);
    assert.match(nameProblem('has space')!, /not a valid instance name/);
    assert.match(nameProblem('-leading')!, /starting with a letter or digit/);
    assert.match(nameProblem('../etc')!, /not a valid/);
    assert.match(nameProblem('x'.repeat(65))!, /at most 64/);
    assert.throws(() => r.fleet.spawn('bad/name', { backend: 'anthropic', model: HAIKU }), code('invalid_name', /not a valid instance name/));
  });

  it('rejects a duplicate name, for spawn and fork alike', async () => {
    r.fleet.spawn('twin', { backend: 'anthropic', model: HAIKU });
    assert.throws(() => r.fleet.spawn('twin', { backend: 'anthropic', model: HAIKU }), code('duplicate_name', /already exists/));
    await assert.rejects(r.fleet.fork('twin', 'twin'), code('duplicate_name', /already exists/));
    assert.equal(r.fleet.list().length, 1);
  });

  it('names an unknown instance, for every operation', async () => {
    assert.throws(() => r.fleet.ask('ghost', 'hi'), code('unknown_instance', /no instance named 'ghost'/));
    assert.throws(() => r.fleet.status('ghost'), code('unknown_instance', /ghost/));
    assert.throws(() => r.fleet.cancel('ghost'), code('unknown_instance', /ghost/));
    await assert.rejects(r.fleet.kill('ghost'), code('unknown_instance', /ghost/));
    await assert.rejects(r.fleet.fork('ghost', 'child'), code('unknown_instance', /ghost/));
    assert.throws(() => r.fleet.relay('ghost', 'other'), code('unknown_instance', /ghost/));
  });

  it('rejects an unknown backend, a backend not set up, a bad model, a bad role, an empty prompt', async () => {
    assert.throws(() => r.fleet.spawn('a', { backend: 'gemini' as never, model: HAIKU }), code('unknown_backend', /Unknown backend 'gemini'. Known backends: anthropic, claudeCode, ollama, openai/));
    assert.throws(() => r.fleet.spawn('a', { backend: 'ollama', model: 'qwen2.5' }), code('unknown_backend', /ollama backend is not set up. Available: anthropic/));
    assert.throws(() => r.fleet.spawn('a', { backend: 'anthropic', model: '' }), code('invalid_argument', /model is required/));
    assert.throws(() => r.fleet.spawn('a', { backend: 'anthropic', model: 'claude "haiku"' }), code('invalid_argument', /not a valid model name/));
    assert.throws(() => r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU, role: 'boss' as never }), code('invalid_argument', /Unknown role 'boss'/));
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    assert.throws(() => r.fleet.ask('a', '  '), code('invalid_argument', /prompt is empty/));
    await assert.rejects(r.fleet.broadcast([], 'x'), code('invalid_argument', /at least one instance/));
  });

  it('an ask to a killed instance says it was killed', async () => {
    r.fleet.spawn('dead', { backend: 'anthropic', model: HAIKU });
    await r.fleet.kill('dead');
    assert.throws(() => r.fleet.ask('dead', 'hi'), code('instance_killed', /was killed/));
    await assert.rejects(r.fleet.kill('dead'), code('instance_killed', /was killed/));
  });
});

describe('rename', () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(async () => r.close());

  it('renames an instance, keeps its context, and re-points its forks', async () => {
    r.fleet.spawn('draft', { backend: 'anthropic', model: HAIKU });
    await r.fleet.ask('draft', 'hello');
    await r.fleet.fork('draft', 'branch');
    const renamed: string[] = [];
    r.fleet.onDidRename((e) => renamed.push(`${e.oldName}->${e.newName}`));
    const info = r.fleet.rename('draft', 'final');
    assert.equal(info.name, 'final');
    assert.equal(info.messageCount, 2);
    assert.equal(r.fleet.status('branch').lineage?.parent, 'final');
    assert.throws(() => r.fleet.status('draft'), code('unknown_instance', /draft/));
    assert.deepEqual(renamed, ['draft->final']);
    assert.throws(() => r.fleet.rename('final', 'branch'), code('duplicate_name', /already exists/));
    assert.throws(() => r.fleet.rename('final', 'bad name'), code('invalid_name', /not a valid/));
    assert.equal((await r.fleet.ask('final', 'still you?')).role, 'assistant');
  });
});
