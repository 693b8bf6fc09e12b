import { codeOf, decorateCodeBlocks } from '../shared/codeBlocks';
import { connectToHost } from '../shared/hostChannel';
import { handleLinkClicks } from '../shared/linkClicks';
import type { Outgoing } from '../shared/messaging';
import { StreamingMarkdown } from '../shared/streamingMarkdown';
import { el, initialState, vscodeApi } from '../shared/vscodeApi';
import { renderTranscript } from './compressed';
import type { AllowedAction, ChatWebviewState, HostMessage, InstanceView, MessageView, WebviewMessage } from './protocol';

const vscode = vscodeApi<ChatWebviewState, Outgoing<WebviewMessage>>();
const state: ChatWebviewState = { ...initialState<ChatWebviewState>(), ...vscode.getState() };
const host = connectToHost<HostMessage, WebviewMessage>(vscode, window, receive);
const post = host.post;
const save = (patch: Partial<ChatWebviewState>) => vscode.setState(Object.assign(state, patch));

const header = el('header', 'chat-header');
const list = el('main', 'messages');
list.setAttribute('aria-live', 'polite');
const queued = el('section', 'queued');
const notice = el('div', 'notice');
const form = el('form', 'composer');
const input = el('textarea', 'prompt');
input.placeholder = 'Ask… (Enter to send, Shift+Enter for a new line)';
input.rows = 3;
input.value = state.draft ?? '';
const send = el('button', 'send', 'Send');
send.type = 'submit';
// One ask routed as if the instance were auto; the next Send goes to the instance's own model again.
const sendAuto = el('button', 'send-auto secondary', 'Send with Auto Model');
sendAuto.type = 'button';
sendAuto.title = 'The router picks the backend and model for this one ask, and says why';
const stop = el('button', 'stop secondary', 'Stop');
stop.type = 'button';
form.append(input, send, sendAuto, stop);
document.body.append(header, list, queued, notice, form);

const streams = new Map<string, { md: StreamingMarkdown; article: HTMLElement }>();
let ended = false;
const decorate = (f: DocumentFragment) => decorateCodeBlocks(f, [{ action: 'copy', label: 'Copy' }, { action: 'insert', label: 'Insert at Cursor' }]);

function nearBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function keepBottom(wasNear: boolean): void {
  if (wasNear) list.scrollTop = list.scrollHeight;
}

function meta(m: MessageView): string {
  const from = (m.inherited ? ' · from the parent' : '') + (m.pinned ? ' · pinned' : '');
  if (m.role === 'user') return `You${from}`;
  const parts = [m.model ?? ''];
  if (m.tokens) parts.push(`${m.tokens.input.toLocaleString()} in · ${m.tokens.output.toLocaleString()} out · ${m.tokens.cacheRead.toLocaleString()} cache read · ${m.tokens.cacheWrite.toLocaleString()} cache write`);
  if (m.cost) parts.push(m.cost + (m.reportedCost && m.reportedCost !== m.cost ? ` (backend says ${m.reportedCost})` : '') + (m.costMismatch ? ' ⚠ figures differ' : ''));
  if (m.latencyMs !== undefined) parts.push(`${(m.latencyMs / 1000).toFixed(2)} s`);
  if (m.status === 'cancelled') parts.push('stopped');
  if (m.fallback) parts.push(m.fallback);
  return parts.filter(Boolean).join(' · ') + from;
}

function article(m: MessageView): HTMLElement {
  const a = el('article', `msg ${m.role} ${m.status ?? ''}`);
  a.dataset.id = m.id;
  a.append(el('div', 'meta', meta(m)), el('div', 'body'));
  if (m.role === 'assistant' && m.error) {
    const err = el('div', 'error');
    err.append(el('span', 'error-text', `${m.error.kind}: ${m.error.message}`));
    if (m.error.hint) err.append(el('div', 'hint', `Next step: ${m.error.hint}`));
    if (m.error.action) {
      const b = el('button', 'secondary', m.error.action.title);
      b.type = 'button';
      b.dataset.command = m.error.action.command;
      err.append(b);
    }
    if (m.error.sendAnyway) {
      const b = el('button', 'secondary', m.error.sendAnyway.title);
      b.type = 'button';
      b.dataset.sendAnyway = m.id;
      err.append(b);
    }
    a.append(err);
  }
  const actions = el('div', 'msg-actions');
  const fork = el('button', 'link fork', 'Fork from here');
  fork.type = 'button';
  fork.dataset.fork = m.id;
  actions.append(fork);
  // A message already compressed away is not sent any more: pinning it now would keep nothing.
  if (!m.compressedBy) {
    const pin = el('button', 'link pin', m.pinned ? 'Unpin' : 'Pin');
    pin.type = 'button';
    pin.title = 'Pinned messages are never compressed';
    pin.dataset.pin = m.id;
    pin.dataset.pinned = String(!m.pinned);
    actions.append(pin);
  }
  a.append(actions);
  return a;
}

function renderMessage(m: MessageView): HTMLElement {
  const a = article(m);
  const body = a.querySelector<HTMLElement>('.body')!;
  if (m.role === 'user') body.textContent = m.text;
  else new StreamingMarkdown(body, decorate).finish(m.text);
  return a;
}

function startStream(askId: string, text = ''): void {
  const a = article({ id: askId, role: 'assistant', text: '', at: Date.now(), status: 'streaming' });
  a.dataset.askId = askId;
  a.querySelector('.meta')!.textContent = 'answering…';
  a.querySelector('.msg-actions')?.remove(); // no fork point until the answer is in the transcript
  list.append(a);
  const md = new StreamingMarkdown(a.querySelector<HTMLElement>('.body')!, decorate);
  streams.set(askId, { md, article: a });
  if (text) md.append(text);
  updateStop();
}

/** The answer streaming now, which Stop names: at most one per instance, the latest one started. */
function streamingAsk(): string | undefined {
  return [...streams.keys()].at(-1);
}

function updateStop(): void {
  stop.disabled = ended || streams.size === 0;
}

/**
 * Shows a failure on the answer or queued item of `askId`, else below the chat. Only the list's own children are
 * looked at: model output sits inside their bodies, so it can never pose as the target.
 */
function showFailure(message: string, askId: string | undefined): void {
  const target = askId === undefined ? undefined : ([...list.children, ...queued.children] as HTMLElement[]).find((e) => e.dataset.askId === askId);
  if (!target) {
    notice.textContent = message;
    return;
  }
  let note = target.querySelector<HTMLElement>(':scope > .failure');
  if (!note) target.append((note = el('div', 'error failure')));
  note.textContent = message;
}

function showInstance(i: InstanceView): void {
  sendAuto.hidden = i.routed === true;
  header.replaceChildren(
    el('span', 'name', i.name),
    el('span', 'detail', `${i.backendLabel} · ${i.model} · ${i.role}`),
    el('span', `status status-${i.status}`, i.status),
    el('span', 'totals', `${i.totals.input.toLocaleString()} in · ${i.totals.output.toLocaleString()} out · ${i.totals.cacheRead.toLocaleString()} cache read · ${i.totals.cost}`),
  );
  queued.replaceChildren(...i.queued.map((q) => {
    const item = el('div', 'msg user queued-item');
    item.dataset.askId = q.askId;
    const cancel = el('button', 'link cancel', 'Cancel');
    cancel.type = 'button';
    cancel.dataset.cancel = q.askId; // stops this ask before it is ever sent
    const meta = el('div', 'meta', 'queued · ');
    meta.append(cancel);
    item.append(meta, el('div', 'body', q.text));
    return item;
  }));
}

/** Messages: the list's own articles, and those folded under a compression marker (./compressed.ts). */
const MESSAGES = ':scope > article.msg, :scope > details.compressed > details.compressed-dropped > article.msg';
let revealed: HTMLElement | undefined;

/**
 * Scrolls one message to the middle of the chat and marks it until another is revealed; a compressed one is
 * unfolded first. Only messages are looked at, never anything inside one (model output).
 */
function revealMessage(id: string): void {
  const target = ([...list.querySelectorAll<HTMLElement>(MESSAGES)] as HTMLElement[]).find((e) => e.dataset.id === id);
  revealed?.classList.remove('revealed');
  revealed = target;
  if (!target) {
    notice.textContent = 'That message is not in this chat any more.';
    return;
  }
  for (let p = target.parentElement; p && p !== list; p = p.parentElement) if (p.tagName === 'DETAILS') (p as HTMLDetailsElement).open = true;
  target.classList.add('revealed');
  target.scrollIntoView({ block: 'center' });
  // Focus too, so a screen reader reads the message that was asked for (the scroll already happened).
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

function receive(m: Exclude<HostMessage, { type: 'didReply' }>): void {
  const wasNear = nearBottom();
  switch (m.type) {
    case 'didLoad':
      streams.clear();
      list.replaceChildren(...renderTranscript(m.messages, renderMessage));
      if (m.streaming) startStream(m.streaming.askId, m.streaming.text);
      updateStop();
      showInstance(m.instance);
      list.scrollTop = state.scrollTop ?? list.scrollHeight;
      return;
    case 'didChangeInstance':
      return showInstance(m.instance);
    case 'didStartTurn':
      list.append(renderMessage(m.message));
      startStream(m.askId);
      return keepBottom(true);
    case 'didStream':
      streams.get(m.askId)?.md.append(m.text);
      return keepBottom(wasNear);
    case 'didCompleteTurn': {
      const s = streams.get(m.askId);
      streams.delete(m.askId);
      updateStop();
      if (!s) {
        const done = renderMessage(m.message);
        done.dataset.askId = m.askId;
        list.append(done);
        return keepBottom(wasNear);
      }
      // The streamed body is kept and finished in place: only what is not rendered yet is rendered now.
      s.md.finish(m.message.text);
      const done = article(m.message);
      done.dataset.askId = m.askId; // a late failure about this ask (a Stop that came too late) lands here
      done.querySelector('.body')!.replaceWith(s.article.querySelector('.body')!);
      done.querySelector('.meta')!.after(...s.article.querySelectorAll('.note')); // the turn's notes stay with it
      s.article.replaceWith(done);
      return keepBottom(wasNear);
    }
    case 'didFail':
      return showFailure(m.message, m.askId);
    case 'didNote': {
      // Shown on the answer it is about (not kept in the transcript: a reload drops it, the log keeps it).
      const s = streams.get(m.askId);
      if (s) s.article.querySelector('.body')!.before(el('div', 'note', m.text));
      return keepBottom(wasNear);
    }
    case 'didRevealMessage':
      return revealMessage(m.messageId);
    case 'didEnd':
      notice.textContent = m.reason;
      form.classList.add('ended');
      ended = input.disabled = send.disabled = sendAuto.disabled = stop.disabled = true;
      return;
  }
}

function submit(auto: boolean): void {
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  notice.textContent = '';
  save({ draft: '' });
  host.request({ type: 'send', text, ...(auto ? { model: 'auto' as const } : {}) }).catch((err: Error) => {
    notice.textContent = err.message;
    // It was not asked: give the text back, unless something new was typed meanwhile.
    if (!input.value) {
      input.value = text;
      save({ draft: text });
    }
  });
}
form.addEventListener('submit', (e) => {
  e.preventDefault();
  submit(false);
});
sendAuto.addEventListener('click', () => submit(true));
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
input.addEventListener('input', () => save({ draft: input.value }));
stop.addEventListener('click', () => {
  const askId = streamingAsk();
  if (askId) post({ type: 'stop', askId });
});
let scrollSave: number | undefined;
list.addEventListener('scroll', () => {
  clearTimeout(scrollSave);
  scrollSave = window.setTimeout(() => save({ scrollTop: list.scrollTop }), 150);
});
document.addEventListener('click', (e) => {
  const target = (e.target as Element).closest('button');
  if (!target) return;
  const code = target.dataset.action ? codeOf(target) : undefined;
  if (target.dataset.action === 'copy' && code !== undefined) post({ type: 'copy', text: code });
  else if (target.dataset.action === 'insert' && code !== undefined) post({ type: 'insert', text: code });
  else if (target.dataset.fork) post({ type: 'forkFrom', messageId: target.dataset.fork });
  else if (target.dataset.pin) post({ type: 'pin', messageId: target.dataset.pin, pinned: target.dataset.pinned === 'true' });
  else if (target.dataset.cancel) post({ type: 'stop', askId: target.dataset.cancel });
  else if (target.dataset.sendAnyway) {
    // Once: the host refuses a second resend of the same answer too, this only spares the round trip.
    target.setAttribute('disabled', '');
    post({ type: 'sendAnyway', messageId: target.dataset.sendAnyway });
  } else if (target.dataset.command) post({ type: 'runAction', command: target.dataset.command as AllowedAction });
});

handleLinkClicks((href) => post({ type: 'openLink', href }));

post({ type: 'ready' });
