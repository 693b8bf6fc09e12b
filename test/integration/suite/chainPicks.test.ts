// The fallback-chain quick picks in the real extension host, answered through the testing hooks' input probe
// (src/vscode/input/inputProbe.ts): each pick is taken once it shows its items and answered through the handlers
// Enter, Back and Escape reach, so there are no sleeps. The spawn wizard's chain step (the global chain, none, or a
// chain built with Set Fallback Chain…'s dialog; Back and Escape as on every step), and Set Fallback Chain…'s
// reorder and remove on a running instance.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { ShownInput } from '../../../src/vscode/input/inputProbe';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, runWithInputs, startFakes, type Fakes } from './support';

const SONNET = { backend: 'anthropic', model: 'claude-sonnet-4-5' } as const;
const HAIKU = { backend: 'anthropic', model: 'claude-haiku-4-5' } as const;
const QWEN = { backend: 'ollama', model: OLLAMA_MODEL } as const;
const LLAMA = { backend: 'ollama', model: 'llama3.2:3b' } as const;
const WIZARD = 'LLM Fleet: Spawn Instance';

describe('chain quick picks', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  const fallbackSetting = () => vscode.workspace.getConfiguration('llmFleet.fallback');

  const run = <T>(command: string, ...args: unknown[]) => runWithInputs<T>(hooks, command, ...args);

  /** The chain menu's links, "1. model", icons left out. */
  const links = (s: ShownInput) => s.labels().filter((l) => /^\d\./.test(l)).map((l) => l.replace(/\$\([\w-]+\)\s*/, ''));

  const stored = async (name: string) => {
    await hooks.fleet.flush();
    return JSON.parse(await fs.readFile(join(hooks.storagePath, 'instances', `${name}.json`), 'utf8')).spec.fallback as unknown;
  };

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
    await fallbackSetting().update('chain', [`anthropic:${HAIKU.model}`], vscode.ConfigurationTarget.Global);
  });
  afterEach(() => assert.equal(hooks.inputs.pending, 0, 'an input was shown that the test did not answer'));
  after(async () => {
    await fallbackSetting().update('chain', undefined, vscode.ConfigurationTarget.Global);
    await api.killAll();
    await hooks.secrets.delete('anthropic');
    await fakes.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the wizard’s chain step: Back returns to the model, Choose… builds a two-link chain the instance gets and keeps', async () => {
    const wizard = run<string | undefined>('llmFleet.spawn');
    await wizard.answer(WIZARD, 'Ollama');
    const model = await wizard.answer(WIZARD, OLLAMA_MODEL);
    assert.equal(model.step, 2);

    // The chain step comes right after the model; the default names the global chain as it is now.
    let step = await wizard.input(WIZARD);
    assert.equal(step.step, 3);
    assert.deepEqual(step.labels(), ['$(globe) Use the global chain', '$(circle-slash) None for this instance', '$(list-ordered) Choose…']);
    assert.match(step.prompt ?? '', /Fallback chain \(optional\)/);
    // Back, as on every step: the model step again, with the model chosen still there to take.
    step.back();
    assert.equal((await wizard.answer(WIZARD, OLLAMA_MODEL)).step, 2);
    step = await wizard.input(WIZARD);
    step.accept('Choose…');

    // Set Fallback Chain…'s dialog: add Anthropic (a typed model id) and Ollama (a listed model), in that order.
    const menu = `${WIZARD}: Fallback Chain`;
    // Back on the dialog's menu returns to the step's three choices.
    (await wizard.input(menu)).back();
    assert.equal((await wizard.answer(WIZARD, 'Choose…')).step, 3);
    let shown = await wizard.answer(menu, 'Add a link…');
    assert.equal(shown.step, 3, 'the dialog stands at the chain step');
    assert.ok(!shown.labels().some((l) => l.includes('Use the global chain')), 'the step itself offers the global chain');
    await wizard.answer('Add a Fallback Link (1/2)', 'Anthropic API');
    await wizard.answer('Add a Fallback Link (2/2)', 'Another model…');
    await wizard.answer('Model for', SONNET.model);
    await wizard.answer(menu, 'Add a link…');
    await wizard.answer('Add a Fallback Link (1/2)', 'Ollama');
    const models = await wizard.input('Add a Fallback Link (2/2)');
    assert.ok(models.labels().includes(LLAMA.model), `the Ollama fake's models are listed: ${models.labels().join(', ')}`);
    models.accept(LLAMA.model);
    shown = await wizard.input(menu);
    assert.deepEqual(links(shown), [`1. ${SONNET.model}`, `2. ${LLAMA.model}`]);
    shown.accept('Use this chain');

    await wizard.answer(WIZARD, 'wizard-chain');
    await wizard.answer(WIZARD); // role: general, as preselected
    await wizard.answer(WIZARD, ''); // no system prompt
    assert.equal(await wizard.result, 'wizard-chain');
    assert.deepEqual(hooks.fleet.get('wizard-chain').spec.fallback, [SONNET, LLAMA]);
    assert.deepEqual(await stored('wizard-chain'), [SONNET, LLAMA]);
  });

  it('“None for this instance” keeps the global chain away from it; “global” follows the setting; Escape spawns nothing', async () => {
    const wizard = run<string | undefined>('llmFleet.spawn');
    await wizard.answer(WIZARD, 'Ollama');
    await wizard.answer(WIZARD, OLLAMA_MODEL);
    const step = await wizard.input(WIZARD);
    assert.equal(step.items()[0]?.description, 'llmFleet.fallback.chain: haiku');
    step.accept('None for this instance');
    await wizard.answer(WIZARD, 'no-chain');
    await wizard.answer(WIZARD);
    await wizard.answer(WIZARD, '');
    assert.equal(await wizard.result, 'no-chain');
    assert.deepEqual(hooks.fleet.get('no-chain').spec.fallback, []);
    assert.deepEqual(await stored('no-chain'), []);

    // A server error on Ollama: the instance with none fails; one that follows the global chain moves on to Anthropic.
    const anthropicBefore = fakes.anthropic.messageRequests().length;
    hooks.health.reset();
    fakes.ollama.enqueue({ kind: 'status', status: 500, error: 'boom' });
    await assert.rejects(api.ask('no-chain', 'hello there'));
    assert.equal(fakes.anthropic.messageRequests().length, anthropicBefore, 'an instance with no chain fell back');

    const global = run<string | undefined>('llmFleet.spawn');
    await global.answer(WIZARD, 'Ollama');
    await global.answer(WIZARD, OLLAMA_MODEL);
    await global.answer(WIZARD, 'Use the global chain');
    await global.answer(WIZARD, 'global-chain');
    await global.answer(WIZARD);
    await global.answer(WIZARD, '');
    assert.equal(await global.result, 'global-chain');
    assert.equal(hooks.fleet.get('global-chain').spec.fallback, undefined);
    hooks.health.reset();
    fakes.ollama.enqueue({ kind: 'status', status: 500, error: 'boom' });
    const answer = await api.ask('global-chain', 'hello there');
    assert.equal(answer.backend, 'anthropic');
    assert.equal(fakes.anthropic.messageRequests().length, anthropicBefore + 1);

    // Escape on the chain step cancels the wizard, as on any step.
    const count = hooks.fleet.list().length;
    const cancelled = run<string | undefined>('llmFleet.spawn');
    await cancelled.answer(WIZARD, 'Ollama');
    await cancelled.answer(WIZARD, OLLAMA_MODEL);
    (await cancelled.input(WIZARD)).cancel();
    assert.equal(await cancelled.result, undefined);
    assert.equal(hooks.fleet.list().length, count);
  });

  it('Set Fallback Chain…: move a link up, remove one, Escape on a link keeps it; Save sets the chain and keeps it', async () => {
    await api.spawn('edit-chain', { backend: 'anthropic', model: HAIKU.model, fallback: [SONNET, QWEN, LLAMA] });
    const dialog = run<void>('llmFleet.setFallbackChain', { name: 'edit-chain' });
    const menu = 'Fallback Chain of edit-chain';

    let shown = await dialog.input(menu);
    assert.match(shown.title ?? '', /now own: sonnet → qwen2\.5 → llama3\.2/);
    assert.deepEqual(links(shown), [`1. ${SONNET.model}`, `2. ${QWEN.model}`, `3. ${LLAMA.model}`]);
    shown.accept(`2. ${QWEN.model}`);
    const first = await dialog.input('Link 2');
    assert.deepEqual(first.labels(), ['$(arrow-up) Move up', '$(arrow-down) Move down', '$(trash) Remove']);
    first.accept('Move up');

    shown = await dialog.input(menu);
    assert.deepEqual(links(shown), [`1. ${QWEN.model}`, `2. ${SONNET.model}`, `3. ${LLAMA.model}`]);
    shown.accept(`3. ${LLAMA.model}`);
    const last = await dialog.input('Link 3');
    assert.deepEqual(last.labels(), ['$(arrow-up) Move up', '$(trash) Remove'], 'the last link cannot move down');
    last.accept('Remove');

    shown = await dialog.input(menu);
    assert.deepEqual(links(shown), [`1. ${QWEN.model}`, `2. ${SONNET.model}`]);
    shown.accept(`1. ${QWEN.model}`);
    (await dialog.input('Link 1')).cancel(); // Escape on a link's menu leaves the chain as it was
    shown = await dialog.input(menu);
    assert.deepEqual(links(shown), [`1. ${QWEN.model}`, `2. ${SONNET.model}`]);
    assert.equal(hooks.fleet.get('edit-chain').spec.fallback?.length, 3, 'nothing is set before Save');
    shown.accept('Save');
    await dialog.result;
    assert.deepEqual(hooks.fleet.get('edit-chain').spec.fallback, [QWEN, SONNET]);
    assert.deepEqual(await stored('edit-chain'), [QWEN, SONNET]);

    // Escape on the menu changes nothing.
    const again = run<void>('llmFleet.setFallbackChain', { name: 'edit-chain' });
    (await again.input(menu)).accept(`1. ${QWEN.model}`);
    (await again.input('Link 1')).accept('Remove');
    (await again.input(menu)).cancel();
    await again.result;
    assert.deepEqual(hooks.fleet.get('edit-chain').spec.fallback, [QWEN, SONNET]);
  });
});
