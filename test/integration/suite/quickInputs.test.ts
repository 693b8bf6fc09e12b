// The commands' single-step quick picks and input boxes (input/quickInput.ts's pickOne, pickMany and askText) in the
// real extension host, answered through the testing hooks' input probe as chainPicks.test.ts answers the wizards:
// each input is taken once it shows and answered through the handlers Enter and Escape reach, so there are no sleeps.
// Set Budget…'s cap pick and amount box (a bad amount refused), Ask…'s instance picker and prompt box when no
// argument is given, Set API Key…'s provider pick and password box (the key in SecretStorage, never in the probe),
// Show Backend Health's two picks, Pin Message's message pick, Relay…'s template box, Show Background Result…'s
// pick and Ask About Selection…'s question box.
import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, runWithInputs, startFakes, until, type Fakes } from './support';

describe('command quick inputs', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;

  const run = <T>(command: string, ...args: unknown[]) => runWithInputs<T>(hooks, command, ...args);

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await api.spawn('qi-a', { backend: 'ollama', model: OLLAMA_MODEL });
    await api.spawn('qi-b', { backend: 'ollama', model: OLLAMA_MODEL });
  });
  afterEach(() => assert.equal(hooks.inputs.pending, 0, 'an input was shown that the test did not answer'));
  after(async () => {
    await api.killAll();
    await hooks.secrets.delete('openai');
    hooks.health.reset();
    await fakes.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Set Budget…: the instance, the cap and an amount; a bad amount is refused and the box stays; Escape sets nothing', async () => {
    const set = run<void>('llmFleet.setBudget');
    const instances = await set.input('LLM Fleet: Set Budget');
    assert.deepEqual(instances.labels().map((l) => l.replace(/^\$\([\w-]+\)\s*/, '')).sort(), ['qi-a', 'qi-b']);
    instances.accept('qi-a');
    const caps = await set.input('LLM Fleet: Set Budget for qi-a');
    assert.equal(caps.prompt, 'Which cap?');
    assert.equal(caps.labels().length, 3);
    caps.accept('This instance (qi-a)');
    const amount = await set.input("LLM Fleet: Budget for instance 'qi-a'");
    assert.equal(amount.kind, 'text');
    assert.throws(() => amount.accept('two dollars'), /refused "two dollars": A dollar amount of 0 or more/);
    assert.ok(amount.open, 'a refused amount leaves the box open');
    amount.accept('2.50');
    await set.result;
    assert.equal(hooks.fleet.get('qi-a').spec.budgetUsd, 2.5);

    // Escape on the cap pick ends the command with the cap as it was.
    const again = run<void>('llmFleet.setBudget', 'qi-a');
    (await again.input('LLM Fleet: Set Budget for qi-a')).cancel();
    await again.result;
    assert.equal(hooks.fleet.get('qi-a').spec.budgetUsd, 2.5);
  });

  it('Ask… with no argument: the instance picker, then the prompt box, which refuses an empty prompt', async () => {
    const ask = run<{ text: string; backend: string } | undefined>('llmFleet.ask');
    const picker = await ask.input('LLM Fleet: Ask');
    assert.equal(picker.prompt, 'Instance');
    assert.ok(picker.labels().some((l) => l.endsWith(' qi-b')), `qi-b is offered: ${picker.labels().join(', ')}`);
    assert.ok(picker.items().every((i) => i.description), 'each instance is described');
    assert.throws(() => picker.accept('nobody'), /has no item "nobody"/);
    picker.accept('qi-b');
    const prompt = await ask.input('LLM Fleet: Ask qi-b');
    assert.throws(() => prompt.accept('   '), /The prompt is empty/);
    prompt.accept('which picker was this?');
    const answer = await ask.result;
    assert.equal(answer?.backend, 'ollama');
    assert.ok(hooks.fleet.get('qi-b').transcript.some((m) => m.role === 'user' && m.text === 'which picker was this?'), 'qi-b got the prompt');
    assert.ok(!hooks.fleet.get('qi-a').transcript.some((m) => m.text === 'which picker was this?'), 'qi-a did not');

    // Escape on the picker asks nobody.
    const cancelled = run('llmFleet.ask');
    (await cancelled.input('LLM Fleet: Ask')).cancel();
    assert.equal(await cancelled.result, undefined);
  });

  it('Broadcast…: every instance checked to start with; the ones kept checked are asked', async () => {
    const broadcast = run<Array<{ name: string }> | undefined>('llmFleet.broadcast');
    const picker = await broadcast.input('LLM Fleet: Broadcast to');
    assert.equal(picker.canPickMany, true);
    assert.deepEqual(picker.selected().map((l) => l.replace(/^\$\([\w-]+\)\s*/, '')).sort(), ['qi-a', 'qi-b']);
    picker.accept(['qi-b']);
    await broadcast.answer('LLM Fleet: Broadcast to 1 instance(s)', 'one of you');
    assert.deepEqual((await broadcast.result)?.map((r) => r.name), ['qi-b']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Rename…: the box starts with the name and refuses a taken one', async () => {
    const rename = run<void>('llmFleet.rename', 'qi-a');
    const box = await rename.input('LLM Fleet: Rename qi-a');
    assert.equal(box.value, 'qi-a');
    assert.throws(() => box.accept('qi-b'), /already exists/);
    box.accept('qi-c');
    await rename.result;
    assert.ok(hooks.fleet.has('qi-c') && !hooks.fleet.has('qi-a'));
    hooks.fleet.rename('qi-c', 'qi-a');
  });

  it('Set API Key…: the provider pick, then a password box whose text the probe never reports; the key lands in SecretStorage', async () => {
    const SECRET = 'sk-quick-input-7f3a9c';
    await hooks.secrets.delete('openai');
    const set = run<void>('llmFleet.setApiKey');
    const providers = await set.input('LLM Fleet: Set API Key');
    assert.deepEqual(providers.labels(), ['Anthropic API', 'OpenAI-compatible server']);
    assert.equal(providers.items()[1].description, 'not set');
    providers.accept('OpenAI-compatible server');
    const box = await set.input('LLM Fleet: API key for the OpenAI-compatible server');
    assert.equal(box.password, true);
    // A key with a space is refused, and the refusal does not repeat what was typed.
    assert.throws(
      () => box.accept(`${SECRET} extra`),
      (e: Error) => /A key has no spaces/.test(e.message) && !e.message.includes(SECRET),
    );
    assert.ok(box.open);
    assert.equal(box.value, undefined, 'the probe reports no value for a password box');
    assert.ok(!JSON.stringify(box).includes(SECRET), 'the probe’s snapshot holds no secret');
    box.accept(SECRET);
    await set.result;
    assert.equal(await hooks.secrets.get('openai'), SECRET);
    assert.equal(box.value, undefined);
    assert.ok(!JSON.stringify(box).includes(SECRET));

    // Escape on the key box leaves the stored key alone.
    const again = run<void>('llmFleet.setApiKey', 'openai');
    (await again.input('LLM Fleet: API key for the OpenAI-compatible server')).cancel();
    await again.result;
    assert.equal(await hooks.secrets.get('openai'), SECRET);
  });

  it('Show Backend Health: a cooling backend, then what to do about it; “Try it again now” forgets its cooldown', async () => {
    hooks.health.reset();
    hooks.health.coolFor('anthropic', 60_000);
    const show = run<void>('llmFleet.showHealth');
    const backends = await show.input('LLM Fleet: Backend Health');
    const row = backends.labels().find((l) => l.includes('Anthropic API'));
    assert.match(row ?? '', /^\$\(watch\) Anthropic API: cooling down \(Retry-After\), \d+ s left$/, backends.labels().join(', '));
    backends.accept(row);
    const actions = await show.input('LLM Fleet: Anthropic API');
    assert.deepEqual(actions.labels(), ['$(debug-restart) Try it again now', '$(settings-gear) Edit the fallback chain', '$(output) Show Log']);
    actions.accept('Try it again now');
    await show.result;
    assert.equal(hooks.health.state('anthropic').state, 'healthy');

    // Escape on the first pick offers nothing more.
    hooks.health.coolFor('anthropic', 60_000);
    const again = run<void>('llmFleet.showHealth');
    (await again.input('LLM Fleet: Backend Health')).cancel();
    await again.result;
    assert.equal(hooks.health.state('anthropic').state, 'cooling');
  });

  it('Pin a message: the settled messages, newest first; the one chosen is pinned in the transcript; Escape pins nothing', async () => {
    await api.ask('qi-a', 'the message to pin');
    await api.ask('qi-a', 'a later message');
    const pin = run<void>('llmFleet.pinMessage', 'qi-a');
    const picker = await pin.input('LLM Fleet: Pin a message of qi-a');
    assert.equal(picker.prompt, 'Pinned messages are never compressed');
    const labels = picker.labels();
    assert.ok(labels.indexOf('You: a later message') < labels.indexOf('You: the message to pin'), `newest first: ${labels.join(', ')}`);
    assert.ok(labels.some((l) => l.startsWith('Answer: ')), 'answers are offered too');
    picker.accept('You: the message to pin');
    await pin.result;
    const transcript = hooks.fleet.get('qi-a').transcript;
    assert.equal(transcript.find((m) => m.text === 'the message to pin')?.pinned, true);
    assert.deepEqual(transcript.filter((m) => m.pinned).map((m) => m.text), ['the message to pin'], 'only the chosen message is pinned');

    // The pin shows on the item; Escape leaves the pins as they were.
    const again = run<void>('llmFleet.pinMessage', 'qi-a');
    const shown = await again.input('LLM Fleet: Pin a message of qi-a');
    assert.ok(shown.labels().includes('$(pinned) You: the message to pin'), shown.labels().join(', '));
    shown.cancel();
    await again.result;
    assert.deepEqual(hooks.fleet.get('qi-a').transcript.filter((m) => m.pinned).map((m) => m.text), ['the message to pin']);
  });

  it('Relay…: the template box refuses a template without {{answer}}; the target is asked the template with the answer; Escape relays nothing', async () => {
    if (!hooks.fleet.get('qi-a').transcript.some((m) => m.role === 'assistant')) await api.ask('qi-a', 'something to relay');
    const answer = [...hooks.fleet.get('qi-a').transcript].reverse().find((m) => m.role === 'assistant')!.text;
    const relay = run<void>('llmFleet.relay', 'qi-a', 'qi-b');
    const box = await relay.input('LLM Fleet: Relay qi-a → qi-b');
    assert.equal(box.kind, 'text');
    assert.equal(box.value, 'Message from {{from}}:\\n\\n{{answer}}', 'the default template, newlines as \\n');
    assert.throws(() => box.accept('no answer here'), /The template must contain \{\{answer\}\}/);
    assert.ok(box.open);
    box.accept('Relayed from {{from}} to {{to}}:\\n{{answer}}');
    await relay.result;
    const expected = `Relayed from qi-a to qi-b:\n${answer}`;
    const asked = hooks.fleet.get('qi-b').transcript.filter((m) => m.role === 'user').at(-1);
    assert.equal(asked?.text, expected);
    const sent = fakes.ollama.chatRequests().at(-1)!.body.messages as Array<{ role: string; content: string }>;
    assert.equal(sent.at(-1)?.content, expected, 'the backend got the relayed prompt');

    const before = hooks.fleet.get('qi-b').transcript.length;
    const requests = fakes.ollama.chatRequests().length;
    const again = run<void>('llmFleet.relay', 'qi-a', 'qi-b');
    (await again.input('LLM Fleet: Relay qi-a → qi-b')).cancel();
    await again.result;
    assert.equal(hooks.fleet.get('qi-b').transcript.length, before);
    assert.equal(fakes.ollama.chatRequests().length, requests, 'nothing was sent');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Background Result…: the background asks, newest first; the one chosen opens as a document; Escape opens none', async () => {
    const first = api.askAsync('qi-a', 'first background question');
    const second = api.askAsync('qi-b', 'second background question');
    // Settled, so the document holds the whole answer (the pick marks settled asks with a check).
    await until('both background asks to settle', () => hooks.fleet.poll(first).status !== 'pending' && hooks.fleet.poll(second).status !== 'pending');
    const done = hooks.fleet.poll(first);
    assert.equal(done.status, 'done');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const show = run<void>('llmFleet.showBackgroundResult');
    const picker = await show.input('LLM Fleet: Background Results');
    const items = picker.items();
    assert.deepEqual(items.slice(0, 2).map((i) => [i.label, i.description]), [
      ['$(check) qi-b', 'second background question'],
      ['$(check) qi-a', 'first background question'],
    ]);
    picker.accept('$(check) qi-a');
    await show.result;
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.languageId, 'markdown');
    assert.equal(doc?.getText(), `<!-- qi-a answered -->\n\n${done.text}`);
    // An untitled document: reverted, so closing it asks nothing.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    const again = run<void>('llmFleet.showBackgroundResult');
    (await again.input('LLM Fleet: Background Results')).cancel();
    await again.result;
    assert.equal(vscode.window.activeTextEditor, undefined, 'no document was opened');
  });

  it('Ask About Selection…: the question box starts with the default question; the question is sent with the selection; Escape asks nothing', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'qi-selection.ts');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('const keep = 0;\nfunction half(x: number) {\n  return x / 2;\n}\n'));
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(1, 0, 3, 1);

    const ask = run<{ text: string } | undefined>('llmFleet.askAboutSelection', 'qi-b');
    const box = await ask.input('LLM Fleet: Ask qi-b about the selection');
    assert.equal(box.value, 'Explain this code.');
    box.accept('Why divide by two?');
    assert.ok((await ask.result)?.text, 'an answer came back');
    const sent = hooks.fleet.get('qi-b').transcript.filter((m) => m.role === 'user').at(-1)?.text ?? '';
    assert.match(sent, /^Why divide by two\?\n\nFrom `qi-selection\.ts` \(typescript, lines 2-4\):/);
    assert.match(sent, /```typescript\nfunction half\(x: number\) \{\n {2}return x \/ 2;\n\}\n```$/);
    assert.ok(!sent.includes('const keep'), 'only the selection is sent');

    await vscode.window.showTextDocument(uri);
    const before = hooks.fleet.get('qi-b').transcript.length;
    const again = run<unknown>('llmFleet.askAboutSelection', 'qi-b');
    (await again.input('LLM Fleet: Ask qi-b about the selection')).cancel();
    assert.equal(await again.result, undefined);
    assert.equal(hooks.fleet.get('qi-b').transcript.length, before, 'nothing was asked');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri);
  });
});
