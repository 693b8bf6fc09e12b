// The Instances tree and the commands behind it, in the real extension host, against loopback Ollama and Anthropic
// fakes configured through the real settings.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, startFakes, treeShape, until, type Fakes } from './support';

describe('the Instances tree and its commands', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    // With the view visible, VS Code itself asks the provider for nodes, as it does for a user.
    await vscode.commands.executeCommand('llmFleet.instances.focus');
  });
  afterEach(async () => {
    await api.killAll();
  });
  after(async () => {
    await fakes?.close();
  });

  it('registers every command the manifest declares', async () => {
    const pkg = JSON.parse(readFileSync(join(vscode.extensions.getExtension('llm-fleet.llm-fleet')!.extensionPath, 'package.json'), 'utf8'));
    const declared: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter((c) => !registered.has(c)), []);
  });

  it('spawn from a command shows a root node with model · status · $cost, a backend icon and a tooltip', async () => {
    const name = await vscode.commands.executeCommand<string>('llmFleet.spawn', { name: 'local', backend: 'ollama', model: OLLAMA_MODEL });
    assert.equal(name, 'local');
    assert.deepEqual(await treeShape(hooks), [{ name: 'local', description: `${OLLAMA_MODEL} · idle · $0`, children: [] }]);
    const item = hooks.tree.getTreeItem({ name: 'local' });
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'server-process');
    assert.equal(item.contextValue, 'llmFleet.instance.idle');
    assert.equal(item.command?.command, 'llmFleet.openChat');
    assert.match((item.tooltip as vscode.MarkdownString).value, /Backend: Ollama/);
  });

  it('ask shows busy with a spinning icon, then the answer’s tokens, refreshing only that node and never per token', async () => {
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'worker', backend: 'ollama', model: OLLAMA_MODEL });
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'bystander', backend: 'ollama', model: OLLAMA_MODEL });
    const deltas = Array.from({ length: 300 }, (_, i) => `w${i} `);
    fakes.ollama.enqueue({ kind: 'reply', deltas, gapMs: 1, promptEvalCount: 42, evalCount: deltas.length });
    await until('the view to show both nodes', async () => (await treeShape(hooks)).length === 2);
    const refreshed: Array<string | undefined> = [];
    const sub = hooks.tree.onDidChangeTreeData((n) => refreshed.push(n?.name));
    let sawBusy = false;
    const busySub = api.onDidChangeStatus((e) => {
      if (e.name === 'worker' && e.status === 'busy') sawBusy = (hooks.tree.getTreeItem({ name: 'worker' }).iconPath as vscode.ThemeIcon).id === 'loading~spin';
    });
    try {
      const answer = await vscode.commands.executeCommand<{ text: string; usage: { input: number; output: number } }>('llmFleet.ask', 'worker', 'Count to three hundred.');
      assert.equal(answer.text, deltas.join(''));
      assert.deepEqual([answer.usage.input, answer.usage.output], [42, 300]);
    } finally {
      sub.dispose();
      busySub.dispose();
    }
    assert.ok(sawBusy, 'the node showed the spinning icon while busy');
    assert.ok(refreshed.length > 0 && refreshed.length <= 6, `a handful of refreshes for 300 deltas, got ${refreshed.length}`);
    assert.deepEqual([...new Set(refreshed)], ['worker'], 'only the asking node was refreshed');
    assert.equal(hooks.tree.getTreeItem({ name: 'worker' }).description, `${OLLAMA_MODEL} · idle · $0`);
    assert.match((hooks.tree.getTreeItem({ name: 'worker' }).tooltip as vscode.MarkdownString).value, /42 in .* 300 out/);
  });

  it('fork puts the child under its parent, as deep as the lineage goes, and kill removes a node', async () => {
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'root', backend: 'ollama', model: OLLAMA_MODEL });
    await vscode.commands.executeCommand('llmFleet.ask', 'root', 'Remember the word heron.');
    assert.equal(await vscode.commands.executeCommand('llmFleet.fork', 'root', { name: 'child' }), 'child');
    assert.equal(await vscode.commands.executeCommand('llmFleet.fork', { name: 'child' }, { name: 'grandchild', backend: 'anthropic', model: 'claude-haiku-4-5' }), 'grandchild');
    const shape = await treeShape(hooks);
    assert.deepEqual(
      shape.map((n) => [n.name, n.children.map((c) => [c.name, c.children.map((g) => g.name)])]),
      [['root', [['child', ['grandchild']]]]],
    );
    assert.equal(hooks.tree.getParent({ name: 'grandchild' })?.name, 'child');
    const tooltip = (hooks.tree.getTreeItem({ name: 'grandchild' }).tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Forked from: child \\\(from Ollama\\\)/);
    assert.match(tooltip, /Model: claude\\-haiku\\-4\\-5 {2}/, 'the model asked for, not the parent’s');

    // The child inherited the conversation: its first ask carries the parent's messages.
    await vscode.commands.executeCommand('llmFleet.ask', 'child', 'Which word?');
    const sent = fakes.ollama.chatRequests().at(-1)!.body.messages.map((m: { content: string }) => m.content);
    assert.deepEqual(sent.slice(0, 1), ['Remember the word heron.']);
    assert.equal(sent.at(-1), 'Which word?');

    await vscode.commands.executeCommand('llmFleet.kill', 'child');
    // The grandchild's parent is gone, so it becomes a root.
    assert.deepEqual((await treeShape(hooks)).map((n) => n.name), ['root', 'grandchild']);
  });

  it('a failed backend shows its classified error and next step in the tooltip, with an error icon', async () => {
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'missing', backend: 'ollama', model: 'mistral:7b' });
    await assert.rejects(api.ask('missing', 'hello'), /not found/i);
    const item = hooks.tree.getTreeItem({ name: 'missing' });
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.equal(item.contextValue, 'llmFleet.instance.error');
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Last error \(not_found\)/);
    assert.match(tooltip, /ollama pull mistral:7b/);
  });

  it('broadcast from a command returns every result, failures included, and opens the comparison', async () => {
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'a', backend: 'ollama', model: OLLAMA_MODEL });
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'b', backend: 'anthropic', model: 'claude-haiku-4-5' });
    const results = await vscode.commands.executeCommand<Array<{ name: string; ok: boolean; text: string; error?: { kind: string } }>>('llmFleet.broadcast', ['a', 'b'], 'Same question for both');
    assert.deepEqual(results.map((r) => r.name), ['a', 'b']);
    assert.equal(results[0].ok, true);
    // No Anthropic key in this host: the API instance fails with auth, and the other answer still comes back.
    assert.equal(results[1].ok, false);
    assert.equal(results[1].error?.kind, 'auth');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    assert.ok(tabs.some((l) => l.startsWith('Broadcast: Same question')), `a Broadcast tab is open: ${tabs.join(', ')}`);
  });

  it('Kill All empties the tree and sets the welcome view’s context', async () => {
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'one', backend: 'ollama', model: OLLAMA_MODEL });
    await vscode.commands.executeCommand('llmFleet.spawn', { name: 'two', backend: 'ollama', model: OLLAMA_MODEL });
    await vscode.commands.executeCommand('llmFleet.killAll', true);
    assert.deepEqual(await treeShape(hooks), []);
    assert.equal(api.list().length, 0);
    await until('the busy badge to clear', () => hooks.treeView.badge === undefined);
  });
});
