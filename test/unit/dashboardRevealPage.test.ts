// The chat page's half of "open a top request at its message" (the dashboard's), in jsdom: the real chat page marks
// the message the host names, one at a time, scrolls it to the middle and focuses it, and says so when it is gone.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InstanceView, MessageView } from '../../src/webview/chat/protocol';
import { chatPage } from './chatPageDom';

const { fromHost } = chatPage();
// jsdom lays nothing out and has no scrollIntoView: record what the page asks to scroll to, and how.
const scrolled: Array<{ id?: string; options: unknown }> = [];
before(() => {
  (globalThis as unknown as { window: { HTMLElement: typeof HTMLElement } }).window.HTMLElement.prototype.scrollIntoView = function (this: HTMLElement, options?: unknown) {
    scrolled.push({ id: this.dataset.id, options });
  };
});
const instance: InstanceView = { name: 'alpha', backendLabel: 'Ollama', model: 'qwen2.5:7b', status: 'idle', role: 'general', totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: '$0' }, queued: [] };
const q = (id: string): MessageView => ({ id, role: 'user', text: `question ${id}`, at: 0 });
const a = (id: string): MessageView => ({ id, role: 'assistant', text: `answer ${id}`, at: 0, status: 'complete', model: 'qwen2.5:7b' });
const revealed = () => [...document.querySelectorAll<HTMLElement>('.revealed')].map((e) => e.dataset.id);
const notice = () => document.querySelector('.notice')!.textContent;

describe('chat page: reveal a message', () => {
  it('marks and focuses the named message only, moving the mark on the next reveal', () => {
    fromHost({ type: 'didLoad', instance, messages: [q('u1'), a('a1'), q('u2'), a('a2')] });
    fromHost({ type: 'didRevealMessage', messageId: 'a1' });
    assert.deepEqual(revealed(), ['a1']);
    assert.deepEqual(scrolled, [{ id: 'a1', options: { block: 'center' } }]);
    assert.equal((document.activeElement as HTMLElement).dataset.id, 'a1', 'a screen reader lands on it');
    fromHost({ type: 'didRevealMessage', messageId: 'a2' });
    assert.deepEqual(revealed(), ['a2']);
    assert.deepEqual(scrolled.map((s) => s.id), ['a1', 'a2']);
    assert.equal(notice(), '');
  });

  it('unfolds a message a compression folded away, and marks it', () => {
    const folded = (m: MessageView): MessageView => ({ ...m, compressedBy: 'c1' });
    fromHost({ type: 'didLoad', instance, messages: [folded(q('u1')), folded(a('a1')), q('u2'), a('a2')] });
    const markers = document.querySelectorAll<HTMLDetailsElement>('.messages details');
    assert.ok(markers.length >= 2 && [...markers].every((d) => !d.open), 'folded to begin with');
    fromHost({ type: 'didRevealMessage', messageId: 'a1' });
    assert.deepEqual(revealed(), ['a1']);
    assert.ok([...markers].every((d) => d.open), 'every fold around it is open');
    assert.equal(scrolled.at(-1)?.id, 'a1');
  });

  it('says so when the message is not in the chat (any more), marking nothing', () => {
    // The page reloaded with a shorter transcript than the host looked at (a race the host cannot see).
    fromHost({ type: 'didLoad', instance, messages: [q('u1'), a('a1')] });
    fromHost({ type: 'didRevealMessage', messageId: 'a2' });
    assert.deepEqual(revealed(), []);
    assert.equal(scrolled.length, 3, 'nothing more was scrolled to');
    assert.equal(notice(), 'That message is not in this chat any more.');
  });
});
