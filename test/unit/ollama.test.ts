import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { runDirect } from './backendHarness';
import { until } from './helpers';

const QWEN = 'qwen2.5:7b';

describe('Ollama backend (real ollama client against the loopback fake)', () => {
  let fake: OllamaFake;
  let backend: OllamaBackend;
  let fleet: Fleet;
  beforeEach(async () => {
    fake = await startOllamaFake([
      { name: QWEN, contextLength: 32768, family: 'qwen2' },
      { name: 'llama3.2:1b', contextLength: 131072, family: 'llama' },
    ]);
    backend = new OllamaBackend({ host: fake.url });
    fleet = new Fleet({ backends: [backend] });
  });
  afterEach(async () => {
    await fleet.killAll();
    fleet.dispose();
    await fake.close();
  });

  it('streams an answer with usage from prompt_eval_count/eval_count, priced $0 but counted', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['Local ', 'models ', 'answer.'], promptEvalCount: 42, evalCount: 3 });
    const deltas: string[] = [];
    fleet.onDidStream((e) => deltas.push(e.delta));
    fleet.spawn('local', { backend: 'ollama', model: QWEN, systemPrompt: 'Be terse.' });
    const answer = await fleet.ask('local', 'Say something');
    assert.equal(answer.text, 'Local models answer.');
    assert.deepEqual(deltas, ['Local ', 'models ', 'answer.']);
    assert.equal(answer.usage?.input, 42);
    assert.equal(answer.usage?.output, 3);
    assert.equal(answer.usage?.cacheRead, 0);
    assert.deepEqual(answer.cost, { usd: 0, basis: 'local', reportedUsd: undefined });
    assert.equal(answer.model, QWEN);
    const status = fleet.status('local');
    assert.equal(status.usage.input, 42);
    assert.equal(status.cost.usd, 0);
    assert.equal(status.cost.unpricedRequests, 0);
    const body = fake.chatRequests()[0].body;
    assert.equal(body.stream, true);
    assert.deepEqual(body.messages, [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Say something' }]);
    assert.equal(body.options.num_ctx, 32768, 'num_ctx comes from /api/show model_info');
  });

  it('sets num_ctx on every request, asking /api/show once per model', async () => {
    fleet.spawn('a', { backend: 'ollama', model: QWEN });
    fleet.spawn('b', { backend: 'ollama', model: QWEN });
    fleet.spawn('c', { backend: 'ollama', model: 'llama3.2:1b' });
    await fleet.broadcast('all', 'one');
    await fleet.ask('a', 'two');
    const shows = fake.requests.filter((r) => r.path === '/api/show');
    assert.deepEqual(shows.map((r) => r.body.model).sort(), ['llama3.2:1b', QWEN]);
    assert.deepEqual(fake.chatRequests().map((r) => [r.body.model, r.body.options?.num_ctx]).sort(), [
      ['llama3.2:1b', 131072],
      [QWEN, 32768],
      [QWEN, 32768],
      [QWEN, 32768],
    ]);
  });

  it('takes num_ctx from a setting (global or per model) or the instance, without asking /api/show', async () => {
    const configured = new Fleet({ backends: [new OllamaBackend({ host: fake.url, numCtx: { [QWEN]: 8192 } })] });
    configured.spawn('set', { backend: 'ollama', model: QWEN });
    configured.spawn('own', { backend: 'ollama', model: QWEN, options: { numCtx: 2048 } });
    await configured.broadcast('all', 'hi');
    assert.deepEqual(fake.chatRequests().map((r) => r.body.options.num_ctx).sort(), [2048, 8192]);
    assert.equal(fake.requests.filter((r) => r.path === '/api/show').length, 0);
    const direct = await runDirect(new OllamaBackend({ host: fake.url, numCtx: 4096 }), { model: 'llama3.2:1b' }, 'x');
    assert.equal(direct.error, undefined);
    assert.equal(fake.chatRequests().at(-1)!.body.options.num_ctx, 4096);
    await configured.killAll();
    configured.dispose();
  });

  it('warns when the prompt fills the whole context window instead of truncating silently', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['ok'], promptEvalCount: 2048 });
    const turn = await runDirect(backend, { model: QWEN, options: { numCtx: 2048 } }, 'x'.repeat(10_000));
    assert.equal(turn.error, undefined);
    assert.ok(turn.warnings.some((w) => /may not fit .*2048/.test(w)), turn.warnings.join('|'));
    assert.ok(turn.warnings.some((w) => /filled .*whole context/.test(w)), turn.warnings.join('|'));
  });

  it('sends the transcript: earlier turns, partial answers dropped when empty, same-role turns joined', async () => {
    fleet.spawn('h', { backend: 'ollama', model: QWEN });
    fake.enqueue({ kind: 'reply', deltas: ['first answer'] }, { kind: 'hang' });
    await fleet.ask('h', 'first question');
    const hanging = fleet.ask('h', 'second question');
    await until(() => fake.chatRequests().length === 2, 'the second request');
    fleet.cancel('h');
    await hanging.then(() => undefined, () => undefined);
    await fleet.ask('h', 'third question');
    assert.deepEqual(fake.chatRequests()[2].body.messages, [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question\n\nthird question' },
    ]);
  });

  it('keeps reasoning and tool calls as parts of the answer', async () => {
    fake.enqueue({ kind: 'reply', deltas: ['Done.'], thinking: 'Check the file first.', toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }] });
    fleet.spawn('t', { backend: 'ollama', model: QWEN });
    const answer = await fleet.ask('t', 'go');
    assert.deepEqual(answer.parts, [
      { kind: 'reasoning', text: 'Check the file first.' },
      { kind: 'tool_call', name: 'read_file', text: '{"path":"a.ts"}' },
    ]);
  });

  it('cancels mid-stream: the partial answer is kept and the server sees the client go', async () => {
    fake.enqueue({ kind: 'hang', after: 2 });
    fleet.spawn('c', { backend: 'ollama', model: QWEN });
    const handle = fleet.ask('c', 'go on');
    await until(() => handle.text === 'part0 part1 ', 'two deltas');
    fleet.cancel('c');
    const failure = await handle.then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError);
    assert.equal(failure.kind, 'cancelled');
    assert.equal(failure.answer.text, 'part0 part1 ');
    await until(() => fake.chatRequests()[0].abandoned, 'the server to see the disconnect');
    assert.equal(fleet.status('c').status, 'idle');
  });

  it('cancels before the response headers arrive (a model still loading)', async () => {
    fleet.spawn('slow', { backend: 'ollama', model: QWEN });
    await fleet.ask('slow', 'warm up /api/show');
    fake.enqueue({ kind: 'reply', deltas: ['late'], delayMs: 10_000 });
    const handle = fleet.ask('slow', 'load and answer');
    await until(() => fake.chatRequests().length === 2, 'the request to reach the server');
    const started = Date.now();
    fleet.cancel('slow');
    const failure = await handle.then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError);
    assert.equal(failure.kind, 'cancelled');
    assert.ok(Date.now() - started < 1000, 'the cancel did not wait for the headers');
    await until(() => fake.chatRequests()[1].abandoned, 'the server to see the disconnect');
  });

  it('lists models from /api/tags and reads the version and context length', async () => {
    const models = await backend.listModels();
    assert.deepEqual(models.map((m) => [m.name, m.family, m.quantization]), [
      [QWEN, 'qwen2', 'Q4_K_M'],
      ['llama3.2:1b', 'llama', 'Q4_K_M'],
    ]);
    assert.equal(models[0].sizeBytes, 4_683_087_332, 'the size /api/tags reports');
    assert.equal(await backend.version(), fake.version);
    assert.equal(await backend.contextLength('llama3.2:1b'), 131072);
    fake.models.push({ name: 'mystery' });
    assert.equal(await backend.contextLength('mystery'), undefined);
  });

  it('forks on the same backend by copying the transcript', async () => {
    fleet.spawn('parent', { backend: 'ollama', model: QWEN, systemPrompt: 'S' });
    fake.enqueue({ kind: 'reply', deltas: ['The word is heron.'] });
    await fleet.ask('parent', 'Remember heron.');
    const child = await fleet.fork('parent', 'child');
    assert.equal(child.lineage?.fromBackend, undefined);
    await fleet.ask('child', 'Which word?');
    assert.deepEqual(fake.chatRequests()[1].body.messages.map((m: any) => m.content), ['S', 'Remember heron.', 'The word is heron.', 'Which word?']);
  });
});
