// The router's features of a request: code, the kind of request, the instructions apart from pasted material, the
// signs of a hard request, and sizes in tokens from the shared estimate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens } from '../../src/core/context/tokens';
import { extractFeatures, hasCode, instructionText, kindOf } from '../../src/core/routing/features';

const user = (text: string) => ({ id: 'u', role: 'user' as const, text, at: 0 });

describe('router features', () => {
  it('finds code in fences, stack traces and source lines, not in one sentence that mentions a function', () => {
    assert.ok(hasCode('Why?\n```js\nx()\n```'));
    assert.ok(hasCode('TypeError: x is undefined\n    at render (/app/src/view.js:12:7)\n    at main (/app/src/index.js:3:1)'));
    assert.ok(hasCode('const a = 1;\nconst b = a + 1;'));
    assert.ok(!hasCode('How do I write a function that sorts a list?'));
  });

  it('reads the kind of request', () => {
    assert.equal(kindOf('What is the capital of Peru?', false), 'lookup');
    assert.equal(kindOf('Write a short email to the team about Friday.', false), 'writing');
    assert.equal(kindOf('Write a Python function that checks for palindromes.', false), 'coding');
    assert.equal(kindOf('What is 15% of 240?', false), 'reasoning');
    assert.equal(kindOf('Explain this:', true), 'coding');
  });

  it('counts the instructions apart from the material to summarize, translate or edit', () => {
    const passage = 'The council voted on Tuesday to extend the bike lane by two miles, citing a rise in cycling since it opened.';
    assert.equal(instructionText(`Summarize in one line: ${passage}`), 'Summarize in one line:');
    assert.doesNotMatch(instructionText(`Proofread this:\n"${passage}"`), /council/);
    assert.doesNotMatch(instructionText('Explain:\n```ts\nconst council = 1;\n```'), /council/);
  });

  it('marks a hard request with the signals that explain it, and leaves a short question plain', () => {
    const hard = extractFeatures([user('Our Kafka consumer occasionally processes a message twice after a rebalance. How do we get effectively-once processing into Postgres?')]);
    assert.ok(hard.complex);
    assert.deepEqual(hard.signals.slice(0, 2), ['debugging a subtle fault', 'concurrency or security']);
    const easy = extractFeatures([user('Who painted the Sistine Chapel ceiling?')]);
    assert.deepEqual([easy.complex, easy.signals, easy.kind, easy.code], [false, [], 'lookup', false]);
  });

  it('reads short hard requests as hard: a why about a snippet, a proof, a design, a trade-off, a review', () => {
    const f = (t: string) => extractFeatures([user(t)]);
    const why = f('Why can this deadlock?\n```java\nsynchronized (a) { synchronized (b) { run(); } }\n```');
    assert.deepEqual([why.complex, why.simple, why.signals[0]], [true, false, 'a fault to find in the given code']);
    assert.deepEqual(f('Prove that the square root of 2 is irrational.').signals, ['a proof or derivation']);
    assert.deepEqual(f('Design a URL shortener.').signals, ['design or architecture']);
    assert.deepEqual(f('Should we use Kafka or RabbitMQ?').signals, ['a comparison or trade-off']);
    assert.deepEqual(f('Is this hash function safe to use for passwords?').signals.slice(0, 2), ['a review or critique', 'concurrency or security']);
    assert.deepEqual(f('How many trailing zeros does 1000! have?').signals, ['quantitative reasoning']);
  });

  it('names the clear easy signs, and leaves a request with none of them unclear rather than easy', () => {
    const easy = (t: string) => extractFeatures([user(t)]).easy;
    assert.deepEqual(easy('Who wrote "Middlemarch"?'), ['a short factual question']);
    assert.deepEqual(easy('How do I exit vim?'), ['a syntax or command question']);
    assert.deepEqual(easy('Hi! Could you tell me who wrote "Middlemarch"?'), ['a short factual question']);
    assert.deepEqual(easy('Fix the typos, nothing else: Yesterday we recieved the shipment, but two boxes was damaged and the driver said he would aks his manager about it.'), ['a trivial transform of given text']);
    assert.deepEqual(easy('Summarize in one line: The board met on Monday and agreed to move the launch to March, because the supplier is late and the new packaging is not ready yet.'), ['a summary of a short text']);
    assert.deepEqual(easy('What is 17 times 23?'), ['a short factual question', 'simple arithmetic']);
    assert.deepEqual(easy('Write a limerick about a cat who hates Mondays.'), ['a short routine piece of writing']);
    assert.deepEqual(easy('Write a Python function that reverses a string.'), ['a small self-contained snippet']);
    // No sign either way: neither hard nor simple, so the shipped rules give it a medium model.
    const unclear = extractFeatures([user('Tell me about the Hanseatic League.')]);
    assert.deepEqual([unclear.complex, unclear.simple], [false, false]);
    // A code block with a question that is not a transform: not clearly easy.
    assert.equal(extractFeatures([user('What does this print?\n```js\nconsole.log([1, 2, 3].map(parseInt));\n```')]).simple, false);
    // A hard sign wins over an easy one.
    assert.deepEqual(easy('What is a race condition in Go, and why is it hard to find?'), []);
  });

  it('reads French, German, Japanese and Chinese requests, not as short and plain for lack of English words', () => {
    const f = (t: string) => extractFeatures([user(t)]);
    for (const hard of ['Pourquoi ce code provoque-t-il un interblocage ?\n```go\nmu.Lock()\nch <- x\n```', 'Prouvez que la suite converge.', 'Warum ist dieser Code nicht threadsicher?', 'Wie sollten wir das System entwerfen, damit es skaliert?', 'このコードはなぜデッドロックするのですか？', '这个函数为什么会死锁？', '请设计一个分布式缓存。']) {
      assert.ok(f(hard).complex, hard);
    }
    for (const easy of ['Quelle est la capitale du Canada ?', 'Was ist die Hauptstadt von Österreich?', '日本の首都はどこですか？', '中国的首都是哪里？', 'Traduis en anglais : « Le train part à huit heures. »']) {
      assert.ok(f(easy).simple, easy);
    }
  });

  it('sizes the whole request with the shared token estimate, system prompt included', () => {
    const history = [user('First question'), { id: 'a', role: 'assistant' as const, text: 'An answer.', at: 0, status: 'complete' as const, model: 'm', backend: 'ollama' as const, latencyMs: 1 }, user('Second question?')];
    const f = extractFeatures(history, { system: 'Be brief.', role: 'worker' });
    assert.equal(f.tokens, estimateTokens([{ role: 'system', text: 'Be brief.' }, ...history]));
    assert.equal(f.promptTokens, estimateTokens('Second question?'));
    assert.deepEqual([f.turns, f.role], [2, 'worker']);
  });
});
