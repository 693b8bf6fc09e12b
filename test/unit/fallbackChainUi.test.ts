// "Set Fallback Chain…": the pure list editing (src/vscode/chainEditing.ts), the Fleet's setter on a running
// instance and that it persists, and the tree tooltip's short form.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Fleet } from '../../src/core/fleet';
import { FileStore } from '../../src/core/store';
import type { FallbackLink } from '../../src/core/turn/types';
import { briefChain, briefModel, ChainDraft, currentChain, describeCurrent } from '../../src/vscode/chainEditing';
import { tooltipMarkdown } from '../../src/vscode/presentation';
import { HAIKU, rig, tempDir, type Rig } from './helpers';

const SONNET: FallbackLink = { backend: 'anthropic', model: 'claude-sonnet-4-5' };
const HAIKU_LINK: FallbackLink = { backend: 'anthropic', model: 'claude-haiku-4-5' };
const QWEN: FallbackLink = { backend: 'ollama', model: 'qwen2.5:7b' };

describe('fallback chain editing', () => {
  it('says which chain an instance follows: its own, else the global one, else none', () => {
    assert.deepEqual(currentChain([QWEN], [SONNET]), { source: 'own', links: [QWEN] });
    assert.deepEqual(currentChain(undefined, [SONNET]), { source: 'global', links: [SONNET] });
    assert.deepEqual(currentChain([], []), { source: 'none', links: [] });
    assert.deepEqual(currentChain(undefined, []), { source: 'global', links: [] }, 'no own chain follows the setting, even while it is empty');
    assert.equal(ChainDraft.from(currentChain(undefined, [])).toSave(), 'global', 'saving untouched keeps following an empty setting');
    assert.equal(describeCurrent(currentChain(undefined, [])), 'global (none set)');
    // An own empty chain (spawned with "None for this instance") is none, whatever the global setting says.
    assert.deepEqual(currentChain([], [SONNET]), { source: 'none', links: [] });
    assert.equal(ChainDraft.from(currentChain([], [SONNET])).followsGlobal, false);
    assert.equal(ChainDraft.from(currentChain(undefined, [SONNET])).followsGlobal, true);
    assert.equal(describeCurrent(currentChain(undefined, [SONNET, QWEN])), 'global: sonnet → qwen2.5');
    assert.equal(describeCurrent(currentChain([], [])), 'none (no fallback)');
  });

  it('shortens models the way users call them', () => {
    assert.equal(briefModel('claude-sonnet-4-5'), 'sonnet');
    assert.equal(briefModel('claude-3-5-haiku-20241022'), 'haiku');
    assert.equal(briefModel('qwen2.5:7b'), 'qwen2.5');
    assert.equal(briefModel('gpt-4o-mini'), 'gpt-4o-mini');
    assert.equal(briefChain([SONNET, HAIKU_LINK, QWEN]), 'sonnet → haiku → qwen2.5');
  });

  it('adds, moves and removes links without changing the draft it came from', () => {
    const start = ChainDraft.from(currentChain([SONNET], []));
    const three = start.add(HAIKU_LINK).add(QWEN);
    assert.deepEqual(start.links, [SONNET]);
    assert.deepEqual(three.links, [SONNET, HAIKU_LINK, QWEN]);
    assert.deepEqual(three.move(2, -1).links, [SONNET, QWEN, HAIKU_LINK]);
    assert.deepEqual(three.move(0, 1).links, [HAIKU_LINK, SONNET, QWEN]);
    // At either end a move leaves the chain as it is.
    assert.deepEqual(three.move(0, -1).links, three.links);
    assert.deepEqual(three.move(2, 1).links, three.links);
    assert.deepEqual(three.remove(1).links, [SONNET, QWEN]);
    assert.deepEqual(three.add(QWEN, 0).links, [QWEN, SONNET, HAIKU_LINK, QWEN]);
    assert.throws(() => three.remove(3), /No link 4 in a chain of 3/);
  });

  it('a global chain is copied to edit into an own one; Use global saves no own chain, Clear saves none', () => {
    const following = ChainDraft.from(currentChain(undefined, [SONNET, QWEN]));
    assert.equal(following.followsGlobal, true);
    assert.equal(following.toSave(), 'global', 'saving untouched keeps following the setting');
    const edited = following.move(0, 1);
    assert.equal(edited.followsGlobal, false);
    assert.deepEqual(edited.toSave(), [QWEN, SONNET]);
    const back = ChainDraft.from(currentChain([QWEN], [SONNET])).useGlobal([SONNET]);
    assert.deepEqual(back.links, [SONNET]);
    assert.equal(back.toSave(), 'global');
    assert.deepEqual(ChainDraft.from(currentChain([QWEN], [])).clear().toSave(), []);
  });

  it("checks links with chainConfig's parser and warns of repeats and of the instance's own model", () => {
    const bad = ChainDraft.from(currentChain([], [])).add({ backend: 'nope' as FallbackLink['backend'], model: 'x' }).add({ backend: 'ollama', model: ' ' });
    const { errors } = bad.problems();
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^Link 1: unknown backend "nope"; use one of /);
    assert.match(errors[1], /^Link 2: a model is needed/);
    const odd = ChainDraft.from(currentChain([HAIKU_LINK, QWEN, QWEN], []));
    const p = odd.problems({ backend: 'anthropic', model: 'claude-haiku-4-5' });
    assert.deepEqual(p.errors, []);
    assert.match(p.warnings.join('\n'), /Link 3 \(Ollama · qwen2\.5:7b\) is already in the chain/);
    assert.match(p.warnings.join('\n'), /Link 1 is the instance's own model/);
  });
});

describe('Fleet.setFallback', () => {
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

  it('changes a running instance’s chain, persists it; "global" removes it, an empty chain means none', async () => {
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU, budgetUsd: 3 });
    const changes: string[] = [];
    r.fleet.onDidChangeInstance((e) => changes.push(e.name));
    r.fleet.setFallback('a', ['ollama:qwen2.5:7b', SONNET]);
    assert.deepEqual(r.fleet.get('a').spec.fallback, [QWEN, SONNET]);
    assert.equal(r.fleet.get('a').spec.budgetUsd, 3, 'the rest of the spec is kept');
    assert.deepEqual(changes, ['a']);
    assert.match(tooltipMarkdown(r.fleet.status('a')), /Fallback: qwen2\\\.5 → sonnet/);
    await r.fleet.flush();
    const again = new Fleet({ backends: [r.backend], store: new FileStore(dir.path) });
    await again.restore();
    assert.deepEqual(again.get('a').spec.fallback, [QWEN, SONNET]);

    r.fleet.setFallback('a', 'global');
    assert.equal(r.fleet.get('a').spec.fallback, undefined);
    assert.doesNotMatch(tooltipMarkdown(r.fleet.status('a')), /Fallback:/);
    r.fleet.setFallback('a', []);
    assert.deepEqual(r.fleet.get('a').spec.fallback, [], 'none for this instance, kept as such');
  });

  it('keeps a spawn’s explicitly empty chain (none for this instance), saves and restores it; absent stays absent', async () => {
    r.fleet.spawn('none', { backend: 'anthropic', model: HAIKU, fallback: [] });
    r.fleet.spawn('global', { backend: 'anthropic', model: HAIKU });
    assert.deepEqual(r.fleet.get('none').spec.fallback, []);
    assert.equal(r.fleet.get('global').spec.fallback, undefined);
    await r.fleet.flush();
    const again = new Fleet({ backends: [r.backend], store: new FileStore(dir.path) });
    await again.restore();
    assert.deepEqual(again.get('none').spec.fallback, []);
    assert.equal(again.get('global').spec.fallback, undefined);
  });

  it('refuses a bad chain whole, with the parser’s words, and keeps the old one', () => {
    r.fleet.spawn('a', { backend: 'anthropic', model: HAIKU, fallback: [QWEN] });
    assert.throws(() => r.fleet.setFallback('a', [SONNET, { backend: 'mars', model: 'x' }]), /The fallback chain\[1\]: unknown backend "mars"/);
    assert.throws(() => r.fleet.setFallback('a', 'anthropic:x'), /must be a list/);
    assert.deepEqual(r.fleet.get('a').spec.fallback, [QWEN]);
    assert.throws(() => r.fleet.setFallback('nobody', []), /nobody/);
  });
});
