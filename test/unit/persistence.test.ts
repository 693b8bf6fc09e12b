import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Fleet } from '../../src/core/fleet';
import { FileStore } from '../../src/core/store';
import { allTexts } from '../fixtures/anthropicFake';
import { HAIKU, rig, tempDir, type Rig } from './helpers';

describe('persistence', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let r: Rig;
  beforeEach(async () => {
    dir = await tempDir();
    r = await rig({ store: new FileStore(dir.path) });
  });
  afterEach(async () => {
    await r.close();
    await dir.remove();
  });

  const reopen = () => new Fleet({ backends: [r.backend], store: new FileStore(dir.path) });

  it('round-trips instances, transcripts, lineage and usage through a new Fleet', async () => {
    r.fleet.spawn('root', { backend: 'anthropic', model: HAIKU, systemPrompt: 'Persist me.', role: 'orchestrator' });
    r.fake.enqueue({ kind: 'reply', text: 'first answer', usage: { input_tokens: 10, output_tokens: 5 } });
    await r.fleet.ask('root', 'first question');
    await r.fleet.fork('root', 'child');
    await r.fleet.flush();

    const again = reopen();
    const { restored, problems } = await again.restore();
    assert.deepEqual(restored.sort(), ['child', 'root']);
    assert.deepEqual(problems, []);
    const root = again.status('root');
    assert.equal(root.systemPrompt, 'Persist me.');
    assert.equal(root.role, 'orchestrator');
    assert.equal(root.usage.output, 5);
    // Haiku 4.5 at $1/M in and $5/M out, for the 10 in and 5 out the fake reported; the same total as before.
    assert.ok(Math.abs(root.cost.usd - (10 * 1 + 5 * 5) / 1e6) < 1e-12, `cost ${root.cost.usd}`);
    assert.equal(root.cost.usd, r.fleet.status('root').cost.usd);
    assert.deepEqual(again.get('root').transcript, JSON.parse(JSON.stringify(r.fleet.get('root').transcript)));
    assert.equal(again.status('child').lineage?.parent, 'root');
    assert.equal(again.status('child').lineage?.forkPoint, r.fleet.get('root').transcript[1].id);

    // The restored instance carries on with its whole context.
    await again.ask('root', 'second question');
    assert.deepEqual(allTexts(r.fake.messageRequests().at(-1)!.body), ['first question', 'first answer', 'second question']);
    await again.shutdown();
  });

  it('writes atomically: only whole JSON files, no temp files left, mode 0600', async () => {
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU });
    await Promise.all([r.fleet.ask('a', 'one'), r.fleet.ask('a', 'two')]);
    await r.fleet.flush();
    const files = await readdir(join(dir.path, 'instances'));
    assert.deepEqual(files, ['a.json']);
    const saved = JSON.parse(await readFile(join(dir.path, 'instances', 'a.json'), 'utf8'));
    assert.equal(saved.transcript.length, 4, 'the last write wins, in order');
    assert.equal((await stat(join(dir.path, 'instances', 'a.json'))).mode & 0o777, 0o600);
  });

  it('kill removes the state file', async () => {
    r.fleet.spawn('gone', { backend: 'anthropic', model: HAIKU });
    await r.fleet.flush();
    await r.fleet.kill('gone');
    assert.equal(existsSync(join(dir.path, 'instances', 'gone.json')), false);
    assert.deepEqual((await reopen().restore()).restored, []);
  });

  it('recovers from a torn and a corrupt state file: clear errors, the files set aside, the rest kept', async () => {
    for (const n of ['good', 'torn', 'corrupt']) r.fleet.spawn(n, { backend: 'anthropic', model: HAIKU });
    await r.fleet.ask('good', 'keep me');
    await r.fleet.flush();
    const file = (n: string) => join(dir.path, 'instances', `${n}.json`);
    const whole = await readFile(file('torn'), 'utf8');
    await writeFile(file('torn'), whole.slice(0, whole.length / 2)); // a write cut short
    await writeFile(file('corrupt'), JSON.stringify({ version: 1, name: 'corrupt', spec: { backend: 'anthropic', model: HAIKU }, transcript: [{ role: 'robot' }] }));
    await writeFile(file('stray') + '.abc123.tmp', '{"half'); // a write that never reached its rename

    const again = reopen();
    const { restored, problems } = await again.restore();
    assert.deepEqual(restored, ['good']);
    assert.equal(again.get('good').transcript.length, 2);
    assert.equal(problems.length, 2);
    const torn = problems.find((p) => p.file.endsWith('torn.json'))!;
    assert.match(torn.error, /Could not read torn\.json: .*JSON/);
    assert.ok(torn.setAsideTo && existsSync(torn.setAsideTo), 'the unreadable file is kept for inspection');
    const corrupt = problems.find((p) => p.file.endsWith('corrupt.json'))!;
    assert.match(corrupt.error, /transcript entry 0 is malformed/);
    assert.deepEqual((await readdir(join(dir.path, 'instances'))).filter((f) => f.endsWith('.json') || f.endsWith('.tmp')), ['good.json']);
    // The names are free again.
    again.spawn('torn', { backend: 'anthropic', model: HAIKU });
    await again.shutdown();
  });

  it('reports an instance whose backend is no longer available, and keeps its file', async () => {
    r.fleet.spawn('orphan', { backend: 'anthropic', model: HAIKU });
    await r.fleet.flush();
    const noBackends = new Fleet({ backends: [], store: new FileStore(dir.path) });
    const { restored, problems } = await noBackends.restore();
    assert.deepEqual(restored, []);
    assert.match(problems[0].error, /Could not restore 'orphan': The anthropic backend is not available/);
    assert.ok(existsSync(join(dir.path, 'instances', 'orphan.json')));
  });
});
