// The chat page's half of Stop, Cancel, failures and requests, in jsdom: the real src/webview/chat/main.ts runs
// against a fake `acquireVsCodeApi`, and the test plays the host by dispatching its messages to the window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceView, MessageView } from '../../src/webview/chat/protocol';
import { chatPage } from './chatPageDom';

// The page's document is the global `document` once it has loaded.
const { sent, fromHost } = chatPage();
const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);
const click = (el: Element | null) => {
  assert.ok(el, 'the button is there');
  (el as HTMLElement).click();
};
const instance = (queued: InstanceView['queued'] = []): InstanceView => ({
  name: 'alpha',
  backendLabel: 'Ollama',
  model: 'qwen2.5:7b',
  status: 'busy',
  role: 'general',
  totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: '$0' },
  queued,
});
const done = (id: string, text: string): MessageView => ({ id, role: 'assistant', text, at: 0, status: 'complete', model: 'qwen2.5:7b' });

describe('chat page', () => {
  it('says ready first, and Stop is off until an answer streams', () => {
    assert.deepEqual(sent, [{ type: 'ready' }]);
    fromHost({ type: 'didLoad', instance: { ...instance(), status: 'idle' }, messages: [] });
    assert.equal($<HTMLButtonElement>('button.stop')!.disabled, true);
  });

  it('Stop names the streaming answer it shows; each queued item’s Cancel names that queued ask', () => {
    fromHost({ type: 'didLoad', instance: instance([{ askId: 'q1', text: 'and then?' }, { askId: 'q2', text: 'one more' }]), messages: [], streaming: { askId: 'a1', text: 'part' } });
    assert.equal($<HTMLButtonElement>('button.stop')!.disabled, false);
    sent.length = 0;
    click($('button.stop'));
    const items = document.querySelectorAll('.queued .queued-item');
    assert.equal(items.length, 2);
    click(items[1].querySelector('button.cancel'));
    assert.deepEqual(sent, [{ type: 'stop', askId: 'a1' }, { type: 'stop', askId: 'q2' }]);
  });

  it('shows a failure on the ask it names, and one naming no ask (or an unknown one) below the chat', () => {
    fromHost({ type: 'didFail', message: 'Could not cancel that one.', askId: 'q2' });
    assert.equal(document.querySelectorAll('.queued .queued-item')[1].querySelector('.failure')?.textContent, 'Could not cancel that one.');
    fromHost({ type: 'didFail', message: 'Clipboard unavailable.' });
    assert.equal($('.notice')!.textContent, 'Clipboard unavailable.');
    fromHost({ type: 'didFail', message: 'About something gone.', askId: 'nope' });
    assert.equal($('.notice')!.textContent, 'About something gone.');
  });

  it('keeps the ask id on the finished answer, so a Stop that came too late says so there; Stop is off again', () => {
    fromHost({ type: 'didCompleteTurn', askId: 'a1', message: done('m1', 'part and the rest') });
    assert.equal($<HTMLButtonElement>('button.stop')!.disabled, true);
    fromHost({ type: 'didFail', message: 'It had already finished: there was nothing to stop.', askId: 'a1' });
    const answer = $('.messages > article[data-id="m1"]')!;
    assert.equal(answer.querySelector('.failure')?.textContent, 'It had already finished: there was nothing to stop.');
  });

  it('a model cannot pose as the target: a data-ask-id inside an answer’s body is not looked at', () => {
    fromHost({ type: 'didStartTurn', askId: 'a2', message: { id: 'u2', role: 'user', text: 'hi', at: 0 } });
    const body = $('.messages > article[data-ask-id="a2"] .body')!;
    const fake = document.createElement('div');
    fake.dataset.askId = 'x9';
    body.append(fake);
    fromHost({ type: 'didFail', message: 'For x9.', askId: 'x9' });
    assert.equal(fake.childElementCount, 0);
    assert.equal($('.notice')!.textContent, 'For x9.');
  });

  it('sends as a request; when the host refuses, the error shows and the text comes back to the composer', async () => {
    const input = $<HTMLTextAreaElement>('textarea.prompt')!;
    input.value = 'Ask this.';
    sent.length = 0;
    $<HTMLFormElement>('form.composer')!.requestSubmit();
    assert.equal(input.value, '');
    const [request] = sent as Array<{ type: string; text: string; requestId: string }>;
    assert.equal(request.type, 'send');
    assert.equal(request.text, 'Ask this.');
    assert.match(request.requestId, /^[a-z0-9]+-\d+$/);
    fromHost({ type: 'didReply', requestId: request.requestId, ok: false, error: "Instance 'alpha' was killed." });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal($('.notice')!.textContent, "Instance 'alpha' was killed.");
    assert.equal(input.value, 'Ask this.');
  });
});
