// "Set Fallback Chain…" in the real extension host: the command sets a running instance's own chain from a script's
// argument, the tree's tooltip shows it, and it is saved with the instance's state. Its dialog (reorder, remove) is
// driven in chainPicks.test.ts.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, until } from './support';

const SONNET = { backend: 'anthropic', model: 'claude-sonnet-4-5' } as const;
const QWEN = { backend: 'ollama', model: OLLAMA_MODEL } as const;

describe('set fallback chain', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  const NAME = 'chain-ui';

  const stored = async () => {
    await hooks.fleet.flush();
    return JSON.parse(await fs.readFile(join(hooks.storagePath, 'instances', `${NAME}.json`), 'utf8')).spec.fallback as unknown;
  };
  const tooltip = () => {
    const node = hooks.tree.getChildren(undefined as never).find((n) => n.name === NAME);
    assert.ok(node, `${NAME} is in the tree`);
    const t = hooks.tree.getTreeItem(node).tooltip;
    return typeof t === 'string' ? t : (t?.value ?? '');
  };
  before(async () => {
    ({ api, hooks } = await extensionApi());
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await api.killAll();
  });

  it('sets a running instance’s chain from an argument; the tooltip shows it; it is saved with the instance', async () => {
    await api.spawn(NAME, { backend: 'anthropic', model: 'claude-haiku-4-5' });
    assert.equal(hooks.fleet.get(NAME).spec.fallback, undefined);
    await vscode.commands.executeCommand('llmFleet.setFallbackChain', { name: NAME, chain: [SONNET, `ollama:${OLLAMA_MODEL}`] });
    assert.deepEqual(hooks.fleet.get(NAME).spec.fallback, [SONNET, QWEN]);
    assert.deepEqual(await stored(), [SONNET, QWEN]);
    await until('the tree to show the chain', () => tooltip().includes('Fallback: sonnet → qwen2\\.5'));
  });

  it('a new order replaces the chain and is saved; a bad chain from a script is refused and the old one kept', async () => {
    // The quick pick's editing is the pure model in chainEditing.ts (unit-tested); here the command's saving path.
    await vscode.commands.executeCommand('llmFleet.setFallbackChain', { name: NAME, chain: [`ollama:${OLLAMA_MODEL}`, SONNET] });
    assert.deepEqual(hooks.fleet.get(NAME).spec.fallback, [QWEN, SONNET]);
    assert.deepEqual(await stored(), [QWEN, SONNET]);
    await until('the tree to show the new order', () => tooltip().includes('Fallback: qwen2\\.5 → sonnet'));

    // A bad link: the Fleet refuses the chain whole (the error notification says why) and nothing changes.
    await vscode.commands.executeCommand('llmFleet.setFallbackChain', { name: NAME, chain: [{ backend: 'mars', model: 'x' }] });
    assert.deepEqual(hooks.fleet.get(NAME).spec.fallback, [QWEN, SONNET]);

    // "global" removes the instance's own chain, so the setting applies again; that too is saved.
    await vscode.commands.executeCommand('llmFleet.setFallbackChain', { name: NAME, chain: 'global' });
    assert.equal(hooks.fleet.get(NAME).spec.fallback, undefined);
    assert.equal(await stored(), undefined);
    await until('the tree to drop the chain', () => !tooltip().includes('Fallback:'));
  });
});
