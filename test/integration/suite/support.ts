// Shared by the integration tests: the extension under test, its testing hooks, loopback fakes wired in through
// the real settings, and small waiting helpers. Bundled into each *.test.js (see ../runTests.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { ShownInput } from '../../../src/vscode/input/inputProbe';
import { startAnthropicFake, type AnthropicFake } from '../../fixtures/anthropicFake';
import { startOllamaFake, type OllamaFake } from '../../fixtures/ollamaFake';

export const EXTENSION_ID = 'llm-fleet.llm-fleet';
export const OLLAMA_MODEL = 'qwen2.5:7b';

export type ExtensionApi = LlmFleetApi & { testing?: TestingHooks };

/** Activates the extension and returns its API with the testing hooks (present only in ExtensionMode.Test). */
export async function extensionApi(): Promise<{ api: LlmFleetApi; hooks: TestingHooks }> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded (check engines.vscode against the host's ${vscode.version})`);
  const api = await ext.activate();
  assert.ok(api.testing, 'the testing hooks are missing: is the extension host running in ExtensionMode.Test?');
  return { api, hooks: api.testing };
}

export interface Fakes {
  readonly ollama: OllamaFake;
  readonly anthropic: AnthropicFake;
  close(): Promise<void>;
}

/** Starts the Ollama and Anthropic fakes and points the extension's settings at them (restored by close()). */
export async function startFakes(): Promise<Fakes> {
  const ollama = await startOllamaFake([{ name: OLLAMA_MODEL, contextLength: 32768, family: 'qwen2' }, { name: 'llama3.2:3b', contextLength: 8192, family: 'llama' }]);
  const anthropic = await startAnthropicFake({ apiKey: 'sk-ant-integration' });
  const config = vscode.workspace.getConfiguration('llmFleet');
  await config.update('ollama.host', ollama.url, vscode.ConfigurationTarget.Global);
  await config.update('anthropic.baseUrl', anthropic.url, vscode.ConfigurationTarget.Global);
  return {
    ollama,
    anthropic,
    close: async () => {
      await config.update('ollama.host', undefined, vscode.ConfigurationTarget.Global);
      await config.update('anthropic.baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await Promise.all([ollama.close(), anthropic.close()]);
    },
  };
}

/** Resolves once `predicate` holds; fails naming `what` after the bound. */
export async function until<T>(what: string, predicate: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The tree as the view would show it: [name, description, children] for every node, depth first. */
export type TreeShape = Array<{ name: string; description: string; children: TreeShape }>;

export async function treeShape(hooks: TestingHooks, parent?: { name: string }): Promise<TreeShape> {
  const nodes = hooks.tree.getChildren(parent as never);
  return Promise.all(
    nodes.map(async (n) => ({ name: n.name, description: String(hooks.tree.getTreeItem(n).description ?? ''), children: await treeShape(hooks, n) })),
  );
}

/**
 * A command run as the palette runs it, its quick inputs answered one by one as they show, through the testing hooks'
 * input probe (src/vscode/input/inputProbe.ts): no sleeps. `input` waits for the next input, checked to be titled
 * `title`, and fails if the command ends first; `answer` accepts `choice` on it.
 */
export function runWithInputs<T>(hooks: TestingHooks, command: string, ...args: unknown[]) {
  const result = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args));
  const ending = result.then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  const input = async (title: string): Promise<ShownInput> => {
    const first = await Promise.race([hooks.inputs.next(title), ending]);
    if (first === 'ended') throw new Error(`${command} ended before an input titled "${title}" was shown`);
    return first;
  };
  const answer = async (title: string, choice?: string): Promise<ShownInput> => {
    const shown = await input(title);
    shown.accept(choice);
    return shown;
  };
  return { result, input, answer };
}
