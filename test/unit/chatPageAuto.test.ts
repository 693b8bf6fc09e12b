// "Send with Auto Model" in the chat page (jsdom, the real src/webview/chat/main.ts): it sends the composer's text
// as a `send` request with `model: 'auto'`, while Send stays a plain send; the protocol keeps only that value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage, type InstanceView } from '../../src/webview/chat/protocol';
import { chatPage } from './chatPageDom';

const { sent, fromHost } = chatPage();
const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);

describe('chat page: Send with Auto Model', () => {
  it('sends the text with model auto, and Send after it sends a plain ask', () => {
    const input = $<HTMLTextAreaElement>('textarea.prompt')!;
    const auto = $<HTMLButtonElement>('button.send-auto');
    assert.ok(auto, 'the button is next to Send');
    assert.equal(auto.textContent, 'Send with Auto Model');
    sent.length = 0;
    input.value = '   ';
    auto.click();
    assert.equal(sent.length, 0, 'an empty prompt is not sent');
    input.value = 'Route this one.';
    auto.click();
    input.value = 'And this one plainly.';
    $<HTMLFormElement>('form.composer')!.requestSubmit();
    assert.deepEqual(sent.map((m) => [m.type, m.text, m.model]), [['send', 'Route this one.', 'auto'], ['send', 'And this one plainly.', undefined]]);
    assert.ok(!('model' in sent[1]), 'a plain send carries no model');
    assert.equal(input.value, '');
  });

  it('is hidden on an instance spawned with model auto, where every ask is routed anyway', () => {
    const view = (routed: boolean): InstanceView => ({ name: 'alpha', backendLabel: 'Ollama', model: 'qwen2.5:7b', status: 'idle', role: 'general', ...(routed ? { routed } : {}), totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: '$0' }, queued: [] });
    fromHost({ type: 'didChangeInstance', instance: view(true) });
    assert.equal($<HTMLButtonElement>('button.send-auto')!.hidden, true);
    fromHost({ type: 'didChangeInstance', instance: view(false) });
    assert.equal($<HTMLButtonElement>('button.send-auto')!.hidden, false);
  });

  it('is disabled with the rest of the composer when the instance ends', () => {
    fromHost({ type: 'didEnd', reason: "Instance 'alpha' was killed." });
    assert.equal($<HTMLButtonElement>('button.send-auto')!.disabled, true);
  });

  it('the protocol keeps model auto on a send and drops a send with any other model', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'x', model: 'auto' }), { type: 'send', text: 'x', model: 'auto' });
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'x' }), { type: 'send', text: 'x' });
    assert.equal(parseWebviewMessage({ type: 'send', text: 'x', model: 'claude-opus-5' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'send', text: 3, model: 'auto' }), undefined);
  });
});
