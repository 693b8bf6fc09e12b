import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BackendError } from '../../src/core/errors';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { ollamaHostProblem } from '../../src/core/backends/ollamaWire';
import { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import { startOllamaFake, type OllamaBehaviour, type OllamaFake } from '../fixtures/ollamaFake';
import { closedPort, HTML_PAGE, NOT_FOUND_TEXT, OTHER_JSON, startPlainServer } from '../fixtures/plainServer';
import { runDirect } from './backendHarness';

const QWEN = 'qwen2.5:7b';

describe('Ollama backend: failures are classified, with what to do next, and nothing is lost', () => {
  let fake: OllamaFake;
  let fleet: Fleet;
  beforeEach(async () => {
    fake = await startOllamaFake();
    fleet = new Fleet({ backends: [new OllamaBackend({ host: fake.url })] });
    fleet.spawn('w', { backend: 'ollama', model: QWEN });
  });
  afterEach(async () => {
    await fleet.killAll();
    fleet.dispose();
    await fake.close();
  });

  async function failWith(b: OllamaBehaviour): Promise<AskFailedError> {
    fake.enqueue(b);
    const failure = await fleet.ask('w', 'go').then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError, `expected a failed ask, got ${failure}`);
    return failure;
  }

  it('connection refused: network, with the `ollama serve` hint', async () => {
    const port = await closedPort();
    const turn = await runDirect(new OllamaBackend({ host: `127.0.0.1:${port}` }), { model: QWEN }, 'hi');
    assert.ok(turn.error instanceof BackendError);
    assert.equal(turn.error.kind, 'network');
    assert.match(turn.error.message, /Could not reach Ollama at 127\.0\.0\.1:\d+: nothing is listening there/);
    assert.match(turn.error.hint ?? '', /ollama serve/);
  });

  it('a model the server does not have: not_found, with the `ollama pull` hint (from /api/show or /api/chat)', async () => {
    fleet.spawn('missing', { backend: 'ollama', model: 'llama3.1:70b' });
    const failure = await fleet.ask('missing', 'hi').then(() => undefined, (e) => e);
    assert.ok(failure instanceof AskFailedError);
    assert.equal(failure.kind, 'not_found');
    assert.equal(failure.hint, 'Run `ollama pull llama3.1:70b`, or pick a model from `ollama list`.');
    // With num_ctx from a setting, /api/show is skipped and the chat's own 404 says the same.
    const turn = await runDirect(new OllamaBackend({ host: fake.url, numCtx: 4096 }), { model: 'nope' }, 'hi');
    assert.ok(turn.error instanceof BackendError);
    assert.equal(turn.error.kind, 'not_found');
    assert.equal(turn.error.status, 404);
    assert.match(turn.error.hint ?? '', /ollama pull nope/);
    assert.equal(fake.chatRequests().at(-1)?.body.model, 'nope');
  });

  it('HTTP 500: server, with the error Ollama gave', async () => {
    const failure = await failWith({ kind: 'status', status: 500, error: 'llama runner process has terminated: signal: killed' });
    assert.equal(failure.kind, 'server');
    assert.match(failure.message, /llama runner process has terminated/);
    assert.equal(fleet.status('w').status, 'error');
  });

  it('an error line mid-stream: server, and the text before it is kept', async () => {
    const failure = await failWith({ kind: 'errorLine', after: 2, error: 'model runner has unexpectedly stopped' });
    assert.equal(failure.kind, 'server');
    assert.match(failure.message, /mid-answer: model runner has unexpectedly stopped/);
    assert.equal(failure.answer.text, 'part0 part1 ');
    assert.equal(fleet.get('w').transcript.at(-1)?.text, 'part0 part1 ');
  });

  it('a stream that ends without `done`: network (ended early), and the text is kept', async () => {
    const failure = await failWith({ kind: 'truncate', after: 3 });
    assert.equal(failure.kind, 'network');
    assert.match(failure.message, /ended the answer early/);
    assert.equal(failure.answer.text, 'part0 part1 part2 ');
  });

  it('a dropped socket: network, and the text is kept', async () => {
    const failure = await failWith({ kind: 'cut', after: 2 });
    assert.equal(failure.kind, 'network');
    assert.match(failure.message, /dropped mid-answer/);
    assert.equal(failure.answer.text, 'part0 part1 ');
  });

  it('an invalid JSON line: the answer stops there with a clear error instead of skipping text', async () => {
    const warned: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args);
    try {
      const failure = await failWith({ kind: 'invalidLine', after: 2, rest: ['after ', 'the ', 'gap'] });
      assert.equal(failure.kind, 'server');
      assert.match(failure.message, /stream line that is not JSON: \{"model":"qwen2\.5:7b","message":\{"content":"lost words/);
      assert.equal(failure.answer.text, 'part0 part1 ', 'text before the bad line is kept, nothing after it is stitched on');
      assert.deepEqual(warned, [], 'the client never saw the bad line');
    } finally {
      console.warn = warn;
    }
  });

  it('a web page where the chat API should be: bad_request, "not Ollama"', async () => {
    const failure = await failWith({ kind: 'html' });
    assert.equal(failure.kind, 'bad_request');
    assert.match(failure.message, /is not Ollama: it answered HTTP 200 with a web page/);
  });
});

describe('Ollama backend: bad input', () => {
  it('rejects a wrong host URL before sending anything', async () => {
    for (const host of ['ftp://127.0.0.1:11434', 'http://', 'gpu box:11434', 'ws://localhost:11434', 'http://localhost:11434/?x=1']) {
      assert.ok(ollamaHostProblem(host), `${host} should be refused`);
      const turn = await runDirect(new OllamaBackend({ host }), { model: QWEN }, 'hi');
      assert.ok(turn.error instanceof BackendError, host);
      assert.equal(turn.error.kind, 'bad_request', host);
      assert.match(turn.error.hint ?? '', /http:\/\/127\.0\.0\.1:11434/);
    }
    for (const host of ['localhost', '127.0.0.1:11434', ':11434', 'https://gpu.example/ollama/']) assert.equal(ollamaHostProblem(host), undefined, host);
  });

  it('says a host is not Ollama when it answers a 404 page, a web page or some other JSON', async () => {
    for (const [answer, pattern] of [
      [NOT_FOUND_TEXT, /does not speak Ollama's API \(HTTP 404: 404 page not found\)/],
      [HTML_PAGE, /is not Ollama: it answered HTTP 200 with a web page/],
      [OTHER_JSON, /is not Ollama: \/api\/version answered without a version/],
    ] as const) {
      const server = await startPlainServer(answer);
      try {
        const backend = new OllamaBackend({ host: server.url });
        const error = await backend.version().then(() => undefined, (e) => e);
        assert.ok(error instanceof BackendError);
        assert.match(error.message, pattern);
        assert.match(error.hint ?? '', /Ollama host/);
        assert.deepEqual(server.paths, ['/api/version']);
      } finally {
        await server.close();
      }
    }
  });

  it('lists an empty model list as empty (detect() turns it into advice)', async () => {
    const fake = await startOllamaFake([]);
    try {
      assert.deepEqual(await new OllamaBackend({ host: fake.url }).listModels(), []);
    } finally {
      await fake.close();
    }
  });

  it('refuses a model name with illegal characters: at spawn, and in the backend itself', async () => {
    const fleet = new Fleet({ backends: [new OllamaBackend({ host: 'http://127.0.0.1:9' })] });
    assert.throws(() => fleet.spawn('x', { backend: 'ollama', model: 'qwen 2.5"; rm' }), (e: any) => e.code === 'invalid_argument' && /not a valid model name/.test(e.message));
    fleet.dispose();
    const turn = await runDirect(new OllamaBackend(), { model: '../../etc/passwd ' }, 'hi');
    assert.ok(turn.error instanceof BackendError);
    assert.equal(turn.error.kind, 'bad_request');
    assert.match(turn.error.message, /not a valid model name/);
  });
});
