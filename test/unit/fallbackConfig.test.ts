// Reading fallback chains (settings and spawn options), the context windows the overflow rule compares, and the
// order a chain is tried in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetError } from '../../src/core/errors';
import { checkSpec } from '../../src/core/names';
import { parseChain } from '../../src/core/routing/chainConfig';
import { knownContextWindow as contextWindow } from '../../src/core/context/contextWindows';
import { chainFor, DEFAULT_FALLBACK } from '../../src/core/routing/fallback';
import type { TurnRequest } from '../../src/core/turn/types';

describe('fallback chain settings', () => {
  it('reads entries and the short form, and says what is wrong with a bad link instead of guessing', () => {
    const { links, problems } = parseChain([{ backend: 'anthropic', model: 'claude-haiku-4-5' }, 'ollama:qwen2.5:7b', { backend: 'gemini', model: 'x' }, { backend: 'openai' }, { backend: 'openai', model: 'm', contextWindow: -1 }]);
    assert.deepEqual(links, [{ backend: 'anthropic', model: 'claude-haiku-4-5' }, { backend: 'ollama', model: 'qwen2.5:7b' }, { backend: 'openai', model: 'm' }]);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /\[2\]: unknown backend "gemini"/);
    assert.match(problems[1], /\[3\]: a model is needed/);
    assert.match(problems[2], /\[4\]: contextWindow must be a positive number/);
    assert.deepEqual(parseChain('nope').problems, ['llmFleet.fallback.chain must be a list of { backend, model } entries.']);
  });

  it('a spawn with a bad chain is refused with the reason; a good one is kept on the spec', () => {
    assert.throws(() => checkSpec({ backend: 'anthropic', model: 'claude-haiku-4-5', fallback: [{ backend: 'nope', model: 'x' } as never] }, ['anthropic']), (e: unknown) => e instanceof FleetError && /unknown backend "nope"/.test(e.message));
    const spec = checkSpec({ backend: 'anthropic', model: 'claude-haiku-4-5', fallback: [{ backend: 'ollama', model: 'qwen2.5:7b' }] }, ['anthropic']);
    assert.deepEqual(spec.fallback, [{ backend: 'ollama', model: 'qwen2.5:7b' }]);
  });
});

describe('context windows', () => {
  it('come from the price data for Anthropic and OpenAI models, Claude Code aliases, and a table for local families', () => {
    assert.equal(contextWindow('anthropic', 'claude-haiku-4-5'), 200_000);
    assert.equal(contextWindow('claudeCode', 'opus'), 200_000);
    assert.equal(contextWindow('openai', 'gpt-4o-mini'), 128_000);
    assert.equal(contextWindow('ollama', 'qwen2.5:7b'), 32_768);
    assert.equal(contextWindow('ollama', 'llama3.2:3b'), 131_072);
    assert.equal(contextWindow('ollama', 'some-private-model'), undefined, 'unknown is unknown, not a guess');
  });
});

describe('chain order', () => {
  const request = (fallback?: TurnRequest['instance']['spec']['fallback']) =>
    ({ target: { backend: 'anthropic', model: 'claude-sonnet-4-5' }, instance: { spec: { backend: 'anthropic', model: 'claude-sonnet-4-5', role: 'general', ...(fallback !== undefined ? { fallback } : {}) } } }) as unknown as TurnRequest;

  it("starts at the turn's own target, then the instance's chain or else the global one, each target once", () => {
    const global = { ...DEFAULT_FALLBACK, chain: [{ backend: 'anthropic' as const, model: 'claude-sonnet-4-5' }, { backend: 'ollama' as const, model: 'qwen2.5:7b' }] };
    assert.deepEqual(chainFor(request(), global).map((l) => l.model), ['claude-sonnet-4-5', 'qwen2.5:7b']);
    assert.deepEqual(chainFor(request([{ backend: 'anthropic', model: 'claude-haiku-4-5' }]), global).map((l) => l.model), ['claude-sonnet-4-5', 'claude-haiku-4-5']);
    assert.deepEqual(chainFor(request(), DEFAULT_FALLBACK).length, 1, 'no chain: the turn alone');
    assert.deepEqual(chainFor(request([]), global).map((l) => l.model), ['claude-sonnet-4-5'], 'an own empty chain is none, not the global one');
  });
});
