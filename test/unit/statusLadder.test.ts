import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ANTHROPIC_STATUSES, classifyAnthropicError } from '../../src/core/backends/anthropic';
import { classifyResult } from '../../src/core/backends/claudeCodeErrors';
import { classifyOllamaError } from '../../src/core/backends/ollamaWire';
import { classifyOpenAiError } from '../../src/core/backends/openaiWire';
import { ERROR_KINDS, kindForStatus, type ErrorKind } from '../../src/core/errors';

/** Statuses from every class, with the ones any backend treats specially. */
const STATUSES = [undefined, 200, 302, 400, 401, 402, 403, 404, 405, 408, 409, 413, 422, 429, 451, 499, 500, 501, 502, 503, 504, 529, 599] as const;

/** What the shared ladder says, and what each backend says, per status (a body that says nothing more). */
const EXPECTED: Record<string, { ladder: ErrorKind; anthropic: ErrorKind; openai: ErrorKind; ollama: ErrorKind; claudeCode: ErrorKind }> = {
  undefined: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  200: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  302: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  400: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  401: { ladder: 'auth', anthropic: 'auth', openai: 'auth', ollama: 'auth', claudeCode: 'auth' },
  402: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  403: { ladder: 'auth', anthropic: 'auth', openai: 'auth', ollama: 'auth', claudeCode: 'auth' },
  404: { ladder: 'not_found', anthropic: 'not_found', openai: 'not_found', ollama: 'not_found', claudeCode: 'not_found' },
  405: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  408: { ladder: 'timeout', anthropic: 'timeout', openai: 'timeout', ollama: 'timeout', claudeCode: 'timeout' },
  409: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  413: { ladder: 'bad_request', anthropic: 'context_overflow', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'context_overflow' },
  422: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  429: { ladder: 'rate_limited', anthropic: 'rate_limited', openai: 'rate_limited', ollama: 'rate_limited', claudeCode: 'rate_limited' },
  451: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  499: { ladder: 'bad_request', anthropic: 'bad_request', openai: 'bad_request', ollama: 'bad_request', claudeCode: 'bad_request' },
  500: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  501: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  502: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
  503: { ladder: 'server', anthropic: 'server', openai: 'overloaded', ollama: 'overloaded', claudeCode: 'server' },
  504: { ladder: 'timeout', anthropic: 'timeout', openai: 'timeout', ollama: 'timeout', claudeCode: 'timeout' },
  529: { ladder: 'server', anthropic: 'overloaded', openai: 'overloaded', ollama: 'server', claudeCode: 'overloaded' },
  599: { ladder: 'server', anthropic: 'server', openai: 'server', ollama: 'server', claudeCode: 'server' },
};

const anthropic = (status: number | undefined, message = 'plain'): ErrorKind =>
  classifyAnthropicError(new Anthropic.APIError(status, status === undefined ? undefined : { type: 'error', error: { type: 'api_error', message } }, message, new Headers())).kind;
const openai = (status: number | undefined, body: { message?: string; code?: string } = { message: 'plain' }): ErrorKind =>
  classifyOpenAiError(new OpenAI.APIError(status, body, body.message, new Headers()), { baseURL: 'http://127.0.0.1:1/v1', model: 'm' }).kind;
const ollama = (status: number | undefined, message = 'plain'): ErrorKind =>
  classifyOllamaError(Object.assign(new Error(message), { name: 'ResponseError', status_code: status }), { host: 'http://127.0.0.1:1', model: 'm' }).kind;
const claudeCode = (status: number | undefined, result = 'plain'): ErrorKind => classifyResult({ is_error: true, subtype: 'success', result, api_error_status: status ?? null }).kind;

describe('kindForStatus: one HTTP status ladder for every backend', () => {
  it('maps every status class as the four backends did', () => {
    for (const status of STATUSES) assert.equal(kindForStatus(status), EXPECTED[String(status)].ladder, `status ${status}`);
    // Every 4xx the ladder does not name is the caller's mistake; every 5xx and stray class is the server's.
    for (let s = 400; s < 500; s++) if (![401, 403, 404, 408, 429].includes(s)) assert.equal(kindForStatus(s), 'bad_request', `status ${s}`);
    for (let s = 500; s < 600; s++) if (s !== 504) assert.equal(kindForStatus(s), 'server', `status ${s}`);
    for (const s of [0, 100, 204, 301, 600, 999]) assert.equal(kindForStatus(s), 'server', `status ${s}`);
  });

  it('lets a backend override single statuses, and only those', () => {
    assert.equal(kindForStatus(529, ANTHROPIC_STATUSES), 'overloaded');
    assert.equal(kindForStatus(413, ANTHROPIC_STATUSES), 'context_overflow');
    assert.equal(kindForStatus(429, { 429: 'auth' }), 'auth', 'an override wins over the ladder');
    assert.equal(kindForStatus(503, { 529: 'overloaded' }), 'server');
    assert.equal(kindForStatus(undefined, { 0: 'overloaded' }), 'server', 'no status is never overridden');
    for (const kind of Object.values(ANTHROPIC_STATUSES)) assert.ok(ERROR_KINDS.includes(kind!));
  });

  for (const [backend, classify] of [['anthropic', anthropic], ['openai', openai], ['ollama', ollama], ['claudeCode', claudeCode]] as const) {
    it(`${backend}: every status still maps to the kind it did`, () => {
      for (const status of STATUSES) assert.equal(classify(status), EXPECTED[String(status)][backend], `${backend} status ${status}`);
    });
  }

  it('keeps each backend’s own readings of the body on top of the ladder', () => {
    // Anthropic: the error type backs up the status; a long prompt is context_overflow whatever the status.
    const typed = (type: string, status = 400) => classifyAnthropicError(new Anthropic.APIError(status, { type: 'error', error: { type, message: 'x' } }, 'x', new Headers())).kind;
    assert.deepEqual(['rate_limit_error', 'overloaded_error', 'authentication_error', 'permission_error', 'not_found_error'].map((t) => typed(t)), ['rate_limited', 'overloaded', 'auth', 'auth', 'not_found']);
    assert.equal(anthropic(400, 'prompt is too long: 250000 tokens > 200000 maximum'), 'context_overflow');
    assert.equal(anthropic(500, 'too many tokens'), 'context_overflow');
    // OpenAI: an exhausted quota is a 429 that waiting never fixes; a 404 says model or route.
    assert.equal(openai(429, { message: 'quota', code: 'insufficient_quota' }), 'auth');
    assert.match(classifyOpenAiError(new OpenAI.APIError(404, { message: 'no such model', code: 'model_not_found' }, 'x', new Headers()), { baseURL: 'b', model: 'm' }).message, /has no model 'm'/);
    assert.match(classifyOpenAiError(new OpenAI.APIError(404, { message: 'Not Found' }, 'x', new Headers()), { baseURL: 'b' }).message, /does not serve the chat completions API/);
    assert.equal(openai(400, { message: 'x', code: 'context_length_exceeded' }), 'context_overflow');
    assert.equal(openai(503, { message: 'maximum context length is 8192' }), 'context_overflow', 'the body is read before the 503 override');
    // Ollama: 404 is a missing model (with the pull hint) or not Ollama at all; a context complaint below 500.
    const pull = classifyOllamaError(Object.assign(new Error('model "qwen" not found, try pulling it first'), { name: 'ResponseError', status_code: 404 }), { host: 'h', model: 'qwen' });
    assert.equal(pull.hint, 'Run `ollama pull qwen`, or pick a model from `ollama list`.');
    assert.match(classifyOllamaError(Object.assign(new Error('404 page not found'), { name: 'ResponseError', status_code: 404 }), { host: 'h' }).message, /does not speak Ollama's API/);
    assert.equal(ollama(400, 'input exceeds the context length'), 'context_overflow');
    assert.equal(ollama(500, 'input exceeds the context length'), 'server');
    // Claude Code: the CLI's words decide where there is no status.
    assert.deepEqual(['not logged in', 'overloaded_error', 'Request timed out', 'ECONNRESET', 'No conversation found with session ID x', 'whatever'].map((t) => claudeCode(undefined, t)), ['auth', 'overloaded', 'timeout', 'network', 'not_found', 'server']);
    assert.equal(classifyResult({ is_error: true, subtype: 'error_max_turns', result: 'x', api_error_status: 429 }).kind, 'bad_request', 'the turn limit comes before the status');
    assert.equal(classifyResult({ is_error: true, result: 'x', terminal_reason: 'prompt_too_long' }).kind, 'context_overflow');
    assert.equal(classifyResult({ is_error: true, result: 'x', api_error_status: 429 }, 7000).retryAfterMs, 7000);
  });
});
