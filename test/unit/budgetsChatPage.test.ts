// The chat page's half of budgets, in jsdom (as chatPage.test.ts): a refused answer's "Send anyway, once" and
// "Raise the cap…" buttons, a budget note on the streaming answer that stays once it is done, and the mismatch mark.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceView, MessageView } from '../../src/webview/chat/protocol';
import { chatPage } from './chatPageDom';

// The page's document is the global `document` once it has loaded.
const { sent, fromHost } = chatPage();
const instance: InstanceView = { name: 'alpha', backendLabel: 'Anthropic API', model: 'claude-haiku-4-5', status: 'idle', role: 'general', totals: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: '$0' }, queued: [] };
const refused: MessageView = {
  id: 'm1',
  role: 'assistant',
  text: '',
  at: 0,
  status: 'error',
  error: { kind: 'budget_exceeded', message: 'The daily cap of $1.00 would be crossed', hint: 'Send it anyway once…', action: { title: 'Raise the cap…', command: 'llmFleet.setBudget' }, sendAnyway: { title: 'Send anyway, once' } },
};

describe('chat page budgets', () => {
  it('a refused answer offers both actions; "Send anyway" names the answer and goes once', () => {
    fromHost({ type: 'didLoad', instance, messages: [{ id: 'u1', role: 'user', text: 'hi', at: 0 }, refused] });
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('article[data-id="m1"] .error button')];
    assert.deepEqual(buttons.map((b) => b.textContent), ['Raise the cap…', 'Send anyway, once']);
    sent.length = 0;
    buttons[1].click();
    buttons[1].click();
    buttons[0].click();
    assert.deepEqual(sent, [{ type: 'sendAnyway', messageId: 'm1' }, { type: 'runAction', command: 'llmFleet.setBudget' }]);
    assert.equal(buttons[1].disabled, true);
  });

  it('a budget note shows on the streaming answer and stays when it completes', () => {
    fromHost({ type: 'didStartTurn', askId: 'a2', message: { id: 'u2', role: 'user', text: 'more', at: 0 } });
    fromHost({ type: 'didNote', askId: 'a2', text: 'The daily cap of $1.00 is 85% used with this ask.' });
    fromHost({ type: 'didCompleteTurn', askId: 'a2', message: { id: 'm2', role: 'assistant', text: 'ok', at: 0, status: 'complete', cost: '$0.0100', reportedCost: '$0.0200', costMismatch: true } });
    const answer = document.querySelector('article[data-id="m2"]')!;
    assert.equal(answer.querySelector('.note')?.textContent, 'The daily cap of $1.00 is 85% used with this ask.');
    assert.match(answer.querySelector('.meta')!.textContent ?? '', /\$0\.0100 \(backend says \$0\.0200\) ⚠ figures differ/);
  });
});
