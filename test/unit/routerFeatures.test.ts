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

  it('reads the wider easy signs: telegraphic lookups, mechanical edits of a snippet, stock files, facts off the material, short answers', () => {
    const easy = (t: string) => extractFeatures([user(t)]).easy;
    const snippet = '\n```ts\nfunction area(w, h) {\n  return w * h;\n}\n```';
    assert.deepEqual(easy('docker remove all stopped containers'), ['a short how-to about a named tool']);
    assert.ok(easy('the default redis port?').includes('a short factual question'));
    assert.deepEqual(easy(`add a jsdoc comment${snippet}`), ['a trivial transform of given text']);
    assert.deepEqual(easy('make this paragraph more concise: The meeting, which was scheduled for the afternoon, has now been moved to the morning instead.'), ['a trivial transform of given text']);
    assert.deepEqual(easy('Convert all the headings to title case.\n\n# getting started\n\nrun the installer, then open the app.\n\n# known issues\n\nthe app is slow to start and has a race on exit.'), ['a trivial transform of given text']);
    assert.deepEqual(easy(`fix the indentation${snippet}`), ['a trivial transform of given text']);
    assert.deepEqual(easy('a .editorconfig for a go project'), ['a stock config file']);
    assert.deepEqual(easy('give me a basic flask app with a /ping route'), ['a small self-contained snippet']);
    assert.deepEqual(easy(`commit message for this${snippet}`), ['a title or commit message for a small change']);
    assert.deepEqual(easy('which node version does this project need?\n```json\n{ "engines": { "node": ">=20" } }\n```'), ['a fact to read off the given material']);
    assert.deepEqual(easy('yes or no: is a tomato a fruit?'), ['a short answer asked for']);
    assert.deepEqual(easy('A build takes 4 minutes. How long do 15 builds take?'), ['simple arithmetic']);
    assert.deepEqual(easy('3.5 miles in km?'), ['simple arithmetic']);
    assert.deepEqual(easy('explain this one-liner\n```bash\nfind . -name "*.log" -mtime +7 -delete\n```'), ['a one-liner to explain']);
    assert.deepEqual(easy('change var to let everywhere\n```js\nvar a = 1;\nvar b = a + 1;\n```'), ['a replacement in the given text']);
    assert.deepEqual(easy('plural of index?'), ['a short attribute lookup']);
    assert.deepEqual(easy('short thank-you note to a colleague who covered my shift'), ['a short routine piece of writing']);
    assert.deepEqual(easy('json to yaml\n```json\n{"name": "app", "private": true}\n```'), ['a trivial transform of given text']);
    for (const t of ['Schreib mir eine Python-Funktion, die Duplikate aus einer Liste entfernt.', 'git のブランチ名を変更するコマンドは？', '这个月有几天？', '帮我把这句话改得更礼貌一点：「明天交报告」']) {
      assert.ok(extractFeatures([user(t)]).simple, t);
    }
  });

  it('keeps the wider easy signs off hard requests: a hard sign, a constraint on behaviour, code to run in the head', () => {
    const f = (t: string) => extractFeatures([user(t)]);
    const snippet = '\n```js\nsetTimeout(() => console.log(1));\nPromise.resolve().then(() => console.log(2));\n```';
    // A telegraphic question that names a failure or a thing's internals is no lookup.
    assert.equal(f('rust borrow error with self-referential struct').simple, false);
    assert.equal(f('python asyncio internals of task cancellation').simple, false);
    // A conversion bound to keep behaviour is a port, not an edit.
    assert.equal(f(`convert this to async/await without changing its behaviour${snippet}`).simple, false);
    // What code prints is worked out, not read off.
    assert.equal(f(`which number is printed first here?${snippet}`).simple, false);
    // "Explain" is let go only when it is all that is asked of a line or two; with more asked, or more code, it counts.
    assert.ok(f('explain this regex and whether it can backtrack badly\n```\n^(a+)+$\n```').complex);
    assert.ok(f(`explain${'\n```js\n' + 'const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n'.repeat(4) + '```'}`).complex);
    // A swap that is really new behaviour, a system as the object, a small ask with a constraint or a failure in it.
    assert.equal(f('switch the retry loop to exponential backoff with jitter and a circuit breaker\n```ts\nfor (;;) { try { return await f(); } catch {} }\n```').simple, false);
    assert.equal(f('rewrite our rust backend in go').simple, false);
    assert.equal(f('python to read a 50GB csv without running out of memory').simple, false);
    assert.equal(f('docker container keeps restarting with exit code 137').simple, false);
    assert.ok(f('note to the team about the layoffs').complex);
    // A hard sign wins over every easy one: security, a trade-off, how a thing behaves, a fault to find.
    assert.deepEqual(f('commit message for rotating the leaked API credentials').signals, ['concurrency or security', 'a delicate message']);
    assert.ok(f('default TCP congestion control in linux and how it behaves under loss').complex);
    assert.ok(f(`fix the indentation and the bug${snippet}`).complex);
    assert.ok(f('このReactフックで無限ループになる原因は？\n```tsx\nuseEffect(() => setN(n + 1));\nconst a = 1;\n```').complex);
    assert.ok(f('这段代码有什么问题？\n```js\nfor (var i = 0; i < 3; i++) fs.push(() => i);\nconst b = 1;\n```').complex);
    // 比较 as "count the comparisons" or "rather" is no comparison; with its two objects it is one.
    assert.ok(f('比较 Redis 和 Memcached').complex);
    assert.equal(f('二分查找 16 个元素最多比较几次？').complex, false);
  });

  it('reads the easy signs widened on dev2: a snippet traced, a time worked out, a syllogism, a value read off, a query sorted, a textbook difference', () => {
    const easy = (t: string) => extractFeatures([user(t)]).easy;
    const para = 'Hi all, the release is moved to next week because QA found a blocker in the login flow, sorry for the churn.';
    assert.deepEqual(easy('what does this function return for n = 4?\n```py\ndef g(n):\n    return n * n - 1\n```'), ['the result of a short snippet']);
    assert.deepEqual(easy('meeting starts 10:15am and runs 1h 50m, what time does it end?'), ['a clock time or time zone to work out']);
    assert.deepEqual(easy('call is at 4pm CET, what is that in EST?'), ['a clock time or time zone to work out']);
    assert.deepEqual(easy('if all zorps are mibs and all mibs are tals, are all zorps tals?'), ['a one-step syllogism']);
    assert.ok(easy('what is the value of retries in this?\n```yaml\nservice:\n  retries: 3\n  timeout: 30s\n```').includes('a named value to read off the given material'));
    assert.deepEqual(easy('order the results by price and only return the first 5\n```sql\nSELECT name, price\nFROM items;\n```'), ['a small change to a given query']);
    assert.deepEqual(easy('difference between a list and a tuple in python?'), ['a textbook difference between named constructs']);
    assert.ok(easy('time complexity of list.append in python?').includes('a short attribute lookup'));
    assert.deepEqual(easy('quick slack msg to tell the team the build is green again'), ['a short routine piece of writing']);
    // Pasted code or data without a fence, and a quoted text after the question, are material, not instructions.
    assert.ok(easy('which host does this point to?\n\nhost: db.internal\nport: 5432\nuser: app').includes('a fact to read off the given material'));
    assert.equal(instructionText('what does this return?\n\nfunction f(a) {\n  const b = a * 2;\n  return b + 1;\n}'), 'what does this return?');
    assert.deepEqual(easy(`could you make this sound less stiff? '${para}'`), ['a trivial transform of given text']);
    // Keeping a quality of the prose is part of the edit: its length, its tone.
    assert.deepEqual(easy(`make this friendlier but keep it brief: "${para}"`), ['a trivial transform of given text']);
    assert.deepEqual(easy(`Peux-tu corriger les fautes dans ce texte, sans changer le ton ?\n\n${para}`), ['a trivial transform of given text']);
  });

  it('keeps the dev2 signs off hard look-alikes: timing and gotchas in a snippet, puzzles of time and logic, named trade-offs', () => {
    const f = (t: string) => extractFeatures([user(t)]);
    // What a snippet prints when it hangs on the event loop, coercion, a built-in's extra arguments, or the order.
    assert.equal(f('what does this print?\n```js\nsetTimeout(() => console.log("a"));\nPromise.resolve().then(() => console.log("b"));\n```').simple, false);
    assert.equal(f('what does this return?\n```js\nfunction f() { return [] + {}; }\nf();\n```').simple, false);
    assert.equal(f('what does this return?\n```js\nconst r = ["10", "10", "10"].map(parseInt);\nconsole.log(r);\n```').simple, false);
    assert.equal(f('in which order do these lines print?\n```py\nprint(1)\nprint(2)\n```').simple, false);
    // Daylight saving is no sum; overtaking trains are a puzzle; a syllogism with "some" is not the one-step kind.
    assert.ok(!f('what time is 2:30am in New York on the night daylight saving starts?').easy.includes('a clock time or time zone to work out'));
    assert.ok(f('train A leaves at 3pm at 60 mph, train B at 4pm at 90 mph; when does B catch up?').complex);
    assert.equal(f('if some bloops are razzies and all razzies are lazzies, are some bloops lazzies?').simple, false);
    // A difference with no language named, or between concurrency constructs or isolation levels, is still hard.
    assert.deepEqual(f('difference between Raft and Paxos?').signals, ['a comparison or trade-off']);
    assert.deepEqual(f('difference between a mutex and a semaphore in go?').signals, ['concurrency or security']);
    assert.ok(f('postgres repeatable read vs serializable?').signals.includes('concurrency or security'));
    // The complexity of an algorithm, or of the code given, is a proof to give; only a named library call's is a fact.
    assert.deepEqual(f('time complexity of quicksort?').signals, ['a proof or derivation']);
    assert.ok(f('time complexity of this function?\n```py\ndef f(n):\n    return sum(range(n))\n```').complex);
    // A query to make fast, a fault in unfenced code, a standard to comply with, a second ask, advice on a value.
    assert.equal(f('order it by created_at and make it fast on 40M rows\n```sql\nSELECT * FROM events\nWHERE kind = 1;\n```').simple, false);
    assert.ok(f('why does this deadlock?\n\nmu.Lock()\nch <- v\nmu.Unlock()').signals.includes('concurrency or security'));
    assert.ok(f('regex for an RFC 5322 compliant email check').complex);
    assert.equal(f('make this shorter but also add a section on pricing: "Hi all, the release is moved to next week because QA found a blocker."').simple, false);
    assert.equal(f('what is the value of maxConnections we should use for 10k users?\n```yaml\ndb:\n  maxConnections: 20\n```').simple, false);
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
