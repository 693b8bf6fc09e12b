// The chat page's half of compression, in jsdom: the real src/webview/chat/main.ts folds the messages a compression
// dropped under one "compressed: N earlier messages" marker with the summary, keeps them one click away, and its Pin
// button asks the host to pin a message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceView, MessageView } from '../../src/webview/chat/protocol';
import { chatPage } from './chatPageDom';

const { sent, fromHost } = chatPage();
const instance: InstanceView = { name: 'alpha', backendLabel: 'Anthropic API', model: 'claude-haiku-4-5', status: 'idle', role: 'general', totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: '$0' }, queued: [] };
const user = (id: string, text: string, extra: Partial<MessageView> = {}): MessageView => ({ id, role: 'user', text, at: 0, ...extra });
const answer = (id: string, text: string, extra: Partial<MessageView> = {}): MessageView => ({ id, role: 'assistant', text, at: 0, status: 'complete', model: 'claude-haiku-4-5', ...extra });

describe('chat page: compression', () => {
  it('folds the dropped messages under "compressed: N earlier messages" with the summary, the figures, and the dropped messages inside', () => {
    const record = { id: 'c1', mode: 'summary' as const, summary: '## Goal\n- review the loader', dropped: 3, summarizer: 'anthropic/claude-haiku-4-5', tokensBefore: 3100, tokensAfter: 900 };
    fromHost({
      type: 'didLoad',
      instance,
      messages: [
        user('u1', 'first question', { compressedBy: 'c1' }),
        user('p1', 'pinned fact', { pinned: true }),
        answer('a1', 'first answer', { compressedBy: 'c1' }),
        user('u2', 'second question', { compressedBy: 'c1', compression: record }),
        answer('a2', 'second answer'),
        user('u3', 'latest question'),
      ],
    });
    const children = [...document.querySelector('.messages')!.children] as HTMLElement[];
    assert.deepEqual(children.map((c) => c.dataset.id ?? `marker:${c.dataset.compression}`), ['marker:c1', 'p1', 'a2', 'u3'], 'one marker where the dropped run began; kept messages in place');
    const marker = children[0];
    assert.equal(marker.tagName, 'DETAILS');
    assert.equal(marker.querySelector(':scope > summary')!.textContent, 'compressed: 3 earlier messages');
    assert.equal(marker.querySelector('.compressed-summary')!.textContent, '## Goal\n- review the loader');
    assert.match(marker.querySelector('.compressed-figures')!.textContent!, /3,100 → 900 tokens · summary by anthropic\/claude-haiku-4-5/);
    const dropped = [...marker.querySelectorAll('.compressed-dropped > article')] as HTMLElement[];
    assert.deepEqual(dropped.map((d) => d.dataset.id), ['u1', 'a1', 'u2'], 'what was dropped is still there to read');
    assert.equal(dropped[0].querySelector('.body')!.textContent, 'first question');
    assert.equal(marker.querySelector('button.pin'), null, 'a message compressed away offers no Pin: it would keep nothing');
    assert.ok(children[1].querySelector('button.pin'));
    assert.match(children[1].querySelector('.meta')!.textContent!, /pinned/);
  });

  it('a sliding window says why, and shows no summary', () => {
    fromHost({
      type: 'didLoad',
      instance,
      messages: [user('u1', 'q', { compressedBy: 'w1', compression: { id: 'w1', mode: 'window', dropped: 1, note: 'the summarizer returned an empty summary; the sliding window was used instead', tokensBefore: 10, tokensAfter: 5 } }), user('u2', 'now')],
    });
    const marker = document.querySelector<HTMLElement>('.messages > details.compressed')!;
    assert.equal(marker.querySelector(':scope > summary')!.textContent, 'compressed: 1 earlier message');
    assert.match(marker.querySelector('.note')!.textContent!, /^Sliding window: the summarizer returned an empty summary/);
    assert.equal(marker.querySelector('.compressed-summary'), null);
  });

  it('Pin and Unpin ask the host to pin the message', () => {
    fromHost({ type: 'didLoad', instance, messages: [user('u1', 'keep this'), answer('a1', 'ok', { pinned: true })] });
    sent.length = 0;
    (document.querySelector('article[data-id="u1"] button.pin') as HTMLElement).click();
    (document.querySelector('article[data-id="a1"] button.pin') as HTMLElement).click();
    assert.equal(document.querySelector('article[data-id="a1"] button.pin')!.textContent, 'Unpin');
    assert.deepEqual(sent, [{ type: 'pin', messageId: 'u1', pinned: true }, { type: 'pin', messageId: 'a1', pinned: false }]);
  });
});
