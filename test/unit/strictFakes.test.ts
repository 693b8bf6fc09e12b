// The fakes refuse what the real servers refuse, so a client that sends the wrong key, drops a required header or
// builds a malformed body fails here as it would in production. A review once hard-coded a wrong key in the
// Anthropic backend and every test still passed; these are the tests that catch that.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { BackendError } from '../../src/core/errors';
import { OpenAiBackend } from '../../src/core/backends/openai';
import { AskFailedError } from '../../src/core/instance';
import { FAKE_ANTHROPIC_KEY } from '../fixtures/anthropicFake';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake, type OpenAiFake } from '../fixtures/openaiFake';
import { runDirect, type DirectTurn } from './backendHarness';
import { HAIKU, rig, type Rig } from './helpers';

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

function failure(turn: DirectTurn): BackendError {
  assert.ok(turn.error instanceof BackendError, `expected a classified failure, got ${String(turn.error)}`);
  return turn.error;
}

const GOOD = { model: HAIKU, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
const VERSION = { 'anthropic-version': '2023-06-01' };

describe('the Anthropic fake refuses what the Messages API refuses', () => {
  let r: Rig;
  before(async () => (r = await rig()));
  after(async () => r.close());
  const messages = () => `${r.fake.url}/v1/messages`;
  const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

  it('a backend with the wrong key fails as auth, naming the refusal, and uses up no scripted answer', async () => {
    const wrong = new AnthropicBackend({ getApiKey: async () => 'sk-wrong-key', baseURL: r.fake.url, maxRetries: 0 });
    r.fake.enqueue({ kind: 'reply', text: 'kept for the right key' });
    const e = failure(await runDirect(wrong, { model: HAIKU }, 'hello'));
    assert.equal(e.kind, 'auth');
    assert.equal(e.status, 401);
    assert.match(e.message, /refused the key: invalid x-api-key/);
    assert.equal(r.fake.messageRequests().at(-1)?.refused?.status, 401);
    await assert.rejects(wrong.listModels(), (e: unknown) => e instanceof BackendError && e.kind === 'auth');
    // The right key, from the same fake, still gets the answer that was queued.
    r.fleet.spawn('right', { backend: 'anthropic', model: HAIKU });
    assert.equal((await r.fleet.ask('right', 'hello')).text, 'kept for the right key');
  });

  it('a rotated key: the old one is refused at once, the new one read per request works', async () => {
    let key = FAKE_ANTHROPIC_KEY;
    const backend = new AnthropicBackend({ getApiKey: async () => key, baseURL: r.fake.url, maxRetries: 0 });
    r.fake.apiKey = 'sk-ant-rotated';
    try {
      assert.equal(failure(await runDirect(backend, { model: HAIKU }, 'old key')).kind, 'auth');
      key = 'sk-ant-rotated';
      assert.equal((await runDirect(backend, { model: HAIKU }, 'new key')).error, undefined);
    } finally {
      r.fake.apiKey = FAKE_ANTHROPIC_KEY;
    }
  });

  it('takes the key as x-api-key or as a bearer token, x-api-key winning when both are sent', async () => {
    assert.equal((await post(messages(), { ...VERSION, 'x-api-key': FAKE_ANTHROPIC_KEY }, GOOD)).status, 200);
    assert.equal((await post(messages(), { ...VERSION, authorization: `Bearer ${FAKE_ANTHROPIC_KEY}` }, GOOD)).status, 200);
    const both = await post(messages(), { ...VERSION, 'x-api-key': 'sk-ant-stale', authorization: `Bearer ${FAKE_ANTHROPIC_KEY}` }, GOOD);
    assert.deepEqual(both, { status: 401, json: anthropicError('authentication_error', 'invalid x-api-key') });
    assert.deepEqual(await post(messages(), { ...VERSION, authorization: 'Bearer sk-wrong-key' }, GOOD), { status: 401, json: anthropicError('authentication_error', 'invalid x-api-key') });
    assert.deepEqual(await post(messages(), VERSION, GOOD), { status: 401, json: anthropicError('authentication_error', 'x-api-key header is required') });
  });

  it('refuses a request without anthropic-version, or with one the API does not know, with a 400', async () => {
    const key = { 'x-api-key': FAKE_ANTHROPIC_KEY };
    assert.deepEqual(await post(messages(), key, GOOD), { status: 400, json: anthropicError('invalid_request_error', 'anthropic-version: header is required') });
    const unknown = await post(messages(), { ...key, 'anthropic-version': '2099-01-01' }, GOOD);
    assert.deepEqual(unknown, { status: 400, json: anthropicError('invalid_request_error', 'anthropic-version: "2099-01-01" is not a valid version') });
    assert.equal((await post(messages(), { ...key, 'anthropic-version': '2026-10-21' }, GOOD)).status, 200);
  });

  it('refuses malformed bodies with invalid_request_error and a message naming the field', async () => {
    const headers = { ...VERSION, 'x-api-key': FAKE_ANTHROPIC_KEY };
    const cases: Array<[string, unknown, RegExp]> = [
      ['not JSON', '{"model": ', /error parsing the body/],
      ['an array', '[]', /must be a JSON object/],
      ['no model', { ...GOOD, model: undefined }, /^model: Field required$/],
      ['no max_tokens', { ...GOOD, max_tokens: undefined }, /^max_tokens: Field required$/],
      ['max_tokens 0', { ...GOOD, max_tokens: 0 }, /^max_tokens: Input should be greater than or equal to 1$/],
      ['max_tokens 1.5', { ...GOOD, max_tokens: 1.5 }, /^max_tokens: Input should be a valid integer$/],
      ['max_tokens as text', { ...GOOD, max_tokens: '16' }, /^max_tokens: Input should be a valid integer$/],
      ['no messages', { ...GOOD, messages: undefined }, /^messages: Field required$/],
      ['messages as text', { ...GOOD, messages: 'hi' }, /^messages: Input should be a valid list$/],
      ['no messages at all', { ...GOOD, messages: [] }, /^messages: at least one message is required$/],
      ['a bad role', { ...GOOD, messages: [{ role: 'robot', content: 'hi' }] }, /^messages\.0\.role: Input should be 'user', 'assistant' or 'system'$/],
      ['content as a number', { ...GOOD, messages: [{ role: 'user', content: 42 }] }, /^messages\.0\.content: Input should be a valid string or a list/],
      ['an empty user turn', { ...GOOD, messages: [{ role: 'user', content: '' }] }, /all messages must have non-empty content/],
      ['a block without a type', { ...GOOD, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, /^messages\.0\.content\.0: .*type/],
      ['an empty text block', { ...GOOD, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, /text content blocks must be non-empty/],
      ['system as a number', { ...GOOD, system: 7 }, /^system: /],
    ];
    for (const [what, body, message] of cases) {
      const res = await post(messages(), headers, body);
      assert.equal(res.status, 400, what);
      assert.equal(res.json.type, 'error', what);
      assert.equal(res.json.error.type, 'invalid_request_error', what);
      assert.match(res.json.error.message, message, what);
    }
    // Version 2026-10-21 removed the sampling parameters; 2023-06-01 still takes them.
    const sampled = { ...GOOD, temperature: 0.2 };
    assert.match((await post(messages(), { ...headers, 'anthropic-version': '2026-10-21' }, sampled)).json.error.message, /^temperature: /);
    assert.equal((await post(messages(), headers, sampled)).status, 200);
    // A prefill may end empty, and the pinned CLI's lean requests end with an empty system entry.
    assert.equal((await post(messages(), headers, { ...GOOD, messages: [...GOOD.messages, { role: 'assistant', content: '' }] })).status, 200);
    assert.equal((await post(messages(), headers, { ...GOOD, messages: [...GOOD.messages, { role: 'system', content: [] }] })).status, 200);
  });

  it('checks count_tokens the same way, without max_tokens', async () => {
    const url = `${r.fake.url}/v1/messages/count_tokens`;
    const headers = { ...VERSION, 'x-api-key': FAKE_ANTHROPIC_KEY };
    const { max_tokens: _, ...countBody } = GOOD;
    assert.equal((await post(url, headers, countBody)).status, 200);
    assert.equal((await post(url, { ...VERSION, 'x-api-key': 'sk-wrong-key' }, countBody)).status, 401);
    assert.equal((await post(url, { 'x-api-key': FAKE_ANTHROPIC_KEY }, countBody)).status, 400);
    assert.match((await post(url, headers, { model: HAIKU })).json.error.message, /^messages: Field required$/);
  });

  it('an instance on the wrong key fails its ask as auth, with the next step, and the instance shows the error', async () => {
    const wrong = await rig({}, { getApiKey: async () => 'sk-ant-not-the-key' });
    try {
      wrong.fleet.spawn('x', { backend: 'anthropic', model: HAIKU });
      const failure = await wrong.fleet.ask('x', 'hi').then(() => undefined, (x: unknown) => x);
      assert.ok(failure instanceof AskFailedError);
      assert.equal(failure.kind, 'auth');
      assert.match(failure.message, /invalid x-api-key/);
      assert.match(failure.hint ?? '', /Set API Key/);
      assert.equal(wrong.fleet.status('x').lastError?.kind, 'auth');
    } finally {
      await wrong.close();
    }
  });
});

describe('the OpenAI fake refuses what OpenAI refuses', () => {
  let fake: OpenAiFake;
  before(async () => (fake = await startOpenAiFake(['gpt-4o-mini'], { apiKey: 'sk-proj-right-key' })));
  after(async () => fake.close());
  const chat = () => `${fake.url}/v1/chat/completions`;
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const auth = { authorization: 'Bearer sk-proj-right-key' };

  it('answers 401 in OpenAI’s shape for a missing or wrong key; the backend calls it auth', async () => {
    const missing = await post(chat(), {}, body);
    assert.equal(missing.status, 401);
    assert.deepEqual(Object.keys(missing.json.error).sort(), ['code', 'message', 'param', 'type']);
    assert.match(missing.json.error.message, /^You didn't provide an API key/);
    const wrong = await post(chat(), { authorization: 'Bearer sk-proj-wrong-key' }, body);
    assert.deepEqual([wrong.status, wrong.json.error.code, wrong.json.error.type], [401, 'invalid_api_key', 'invalid_request_error']);
    assert.doesNotMatch(wrong.json.error.message, /sk-proj-wrong-key/, 'the key is masked, as OpenAI does');
    const e = failure(await runDirect(new OpenAiBackend({ baseURL: fake.baseURL, maxRetries: 0, getApiKey: async () => 'sk-proj-wrong-key' }), { model: 'gpt-4o-mini' }, 'hi'));
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /refused the key: Incorrect API key provided/);
    assert.equal((await post(chat(), auth, body)).status, 200);
  });

  it('answers 400 for a malformed chat body, naming the parameter', async () => {
    const cases: Array<[string, unknown, RegExp, string | null]> = [
      ['not JSON', 'nope', /could not parse the JSON body/, null],
      ['no model', { messages: body.messages }, /you must provide a model parameter/, null],
      ['no messages', { model: body.model }, /Missing required parameter: 'messages'/, 'messages'],
      ['messages as text', { ...body, messages: 'hi' }, /Invalid type for 'messages': expected an array of objects, but got a string/, 'messages'],
      ['no messages at all', { ...body, messages: [] }, /empty array/, 'messages'],
      ['a bad role', { ...body, messages: [{ role: 'robot', content: 'hi' }] }, /Invalid value: 'robot'\. Supported values are: .*'user'/, 'messages[0].role'],
      ['no role', { ...body, messages: [{ content: 'hi' }] }, /Missing required parameter: 'messages\[0\]\.role'/, 'messages[0].role'],
    ];
    for (const [what, b, message, param] of cases) {
      const res = await post(chat(), auth, b);
      assert.equal(res.status, 400, what);
      assert.equal(res.json.error.type, 'invalid_request_error', what);
      assert.match(res.json.error.message, message, what);
      assert.equal(res.json.error.param, param, what);
    }
  });
});

describe('the Ollama fake refuses what Ollama refuses', () => {
  let fake: OllamaFake;
  before(async () => (fake = await startOllamaFake()));
  after(async () => fake.close());

  it('answers 400 with {"error": …} for a body that is not JSON, has no model, or has messages of the wrong type', async () => {
    const chat = `${fake.url}/api/chat`;
    const cases: Array<[string, string, RegExp]> = [
      ['not JSON', 'nope', /^invalid character 'n' looking for beginning of value$/],
      ['an empty body', '', /^missing request body$/],
      ['no model', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }), /^model is required$/],
      ['messages as text', JSON.stringify({ model: 'qwen2.5:7b', messages: 'hi' }), /^json: cannot unmarshal string into Go struct field ChatRequest\.messages of type \[\]api\.Message$/],
      ['content as a number', JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 1 }] }), /cannot unmarshal number into Go struct field Message\.messages\.content of type string/],
    ];
    for (const [what, raw, message] of cases) {
      const res = await post(chat, {}, raw);
      assert.equal(res.status, 400, what);
      assert.deepEqual(Object.keys(res.json), ['error'], what);
      assert.match(res.json.error, message, what);
    }
    // The malformed requests never reached the scripted model: a good one still gets the default echo.
    const ok = await post(chat, {}, JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }], stream: false }));
    assert.equal(ok.status, 200);
    assert.match(ok.json.message.content, /^FAKE-OLLAMA qwen2\.5:7b to: hi/);
  });
});
