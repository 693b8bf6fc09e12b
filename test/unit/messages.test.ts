import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toApiMessages } from '../../src/core/backends/anthropic';
import { normaliseTurns, toChatMessages } from '../../src/core/backends/messages';
import type { AnswerPart, Message } from '../../src/core/transcript';

let n = 0;
const user = (text: string): Message => ({ id: `u${n++}`, role: 'user', text, at: 0 });
const answer = (text: string, parts?: AnswerPart[]): Message => ({ id: `a${n++}`, role: 'assistant', text, at: 0, status: 'complete', model: 'm', backend: 'ollama', latencyMs: 1, ...(parts ? { parts } : {}) });
const turns = (history: Message[]) => normaliseTurns(history).map((t) => `${t.role}:${t.text}`);

describe('normaliseTurns: one set of rules for the conversation every backend sends', () => {
  it('an empty transcript is no turns, and the system prompt alone for chat APIs', () => {
    assert.deepEqual(normaliseTurns([]), []);
    assert.deepEqual(toApiMessages([]), []);
    assert.deepEqual(toChatMessages(undefined, []), []);
    assert.deepEqual(toChatMessages('Be brief.', []), [{ role: 'system', content: 'Be brief.' }]);
  });

  it('starts with the user: leading answers are dropped, however many', () => {
    assert.deepEqual(turns([answer('orphan'), user('q')]), ['user:q']);
    assert.deepEqual(turns([answer('one'), answer('two'), user('q'), answer('a')]), ['user:q', 'assistant:a']);
    assert.deepEqual(turns([answer('only answers'), answer('here')]), []);
  });

  it('joins runs of the same role with a blank line, keeping their order', () => {
    assert.deepEqual(turns([user('a'), user('b'), user('c'), answer('x'), answer('y'), user('d')]), ['user:a\n\nb\n\nc', 'assistant:x\n\ny', 'user:d']);
  });

  it('drops empty and whitespace-only messages, and joins the neighbours they separated', () => {
    assert.deepEqual(turns([user('a'), answer(''), user('b')]), ['user:a\n\nb']);
    assert.deepEqual(turns([user('a'), answer('  \n\t '), user('b'), answer('x')]), ['user:a\n\nb', 'assistant:x']);
    assert.deepEqual(turns([user(' '), answer('orphaned by the drop'), user('q')]), ['user:q']);
  });

  it('sends the text as written: inner and edge whitespace of a real message is kept', () => {
    assert.deepEqual(turns([user('  indented\ncode  '), answer('a\n')]), ['user:  indented\ncode  ', 'assistant:a\n']);
  });

  it('sends an answer’s text only: its parts (reasoning, tool calls) stay in the transcript', () => {
    const thought = answer('The answer is 42.', [{ kind: 'reasoning', text: 'six times seven' }, { kind: 'tool_call', name: 'calc', text: '{"x":6}' }]);
    assert.deepEqual(turns([user('q'), thought, user('and?')]), ['user:q', 'assistant:The answer is 42.', 'user:and?']);
    // An answer that was only parts has no text to send, so it goes like an empty one.
    assert.deepEqual(turns([user('q'), answer('', [{ kind: 'tool_call', name: 'calc', text: '{}' }]), user('again')]), ['user:q\n\nagain']);
  });

  it('gives the same conversation in both wire shapes', () => {
    const history = [answer('orphan'), user('a'), answer(' '), user('b'), answer('c')];
    assert.deepEqual(toApiMessages(history), [
      { role: 'user', content: [{ type: 'text', text: 'a\n\nb' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
    ]);
    assert.deepEqual(toChatMessages('sys', history), [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
    ]);
  });

  it('never changes the transcript it reads', () => {
    const history = [user('a'), user('b')];
    const copy = structuredClone(history);
    toChatMessages(undefined, history);
    toApiMessages(history);
    assert.deepEqual(history, copy);
  });
});
