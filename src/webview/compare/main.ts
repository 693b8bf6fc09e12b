import { codeOf, decorateCodeBlocks } from '../shared/codeBlocks';
import { connectToHost } from '../shared/hostChannel';
import { handleLinkClicks } from '../shared/linkClicks';
import type { Outgoing } from '../shared/messaging';
import { StreamingMarkdown } from '../shared/streamingMarkdown';
import { el, vscodeApi } from '../shared/vscodeApi';
import type { ColumnResult, CompareHostMessage, CompareWebviewMessage } from './protocol';

const host = connectToHost<CompareHostMessage, CompareWebviewMessage>(vscodeApi<unknown, Outgoing<CompareWebviewMessage>>(), window, receive);
const title = el('header', 'compare-header');
const grid = el('main', 'columns');
document.body.append(title, grid);

const decorate = (f: DocumentFragment) => decorateCodeBlocks(f, [{ action: 'copy', label: 'Copy' }]);
const columns = new Map<string, { md: StreamingMarkdown; foot: HTMLElement; col: HTMLElement }>();

function finish(name: string, r: ColumnResult): void {
  const c = columns.get(name);
  if (!c) return;
  c.md.finish(r.text);
  c.col.classList.toggle('failed', !r.ok);
  const facts = [r.model ?? '', r.cost ?? '', `${(r.latencyMs / 1000).toFixed(2)} s`];
  if (r.tokens) facts.push(`${r.tokens.input.toLocaleString()} in · ${r.tokens.output.toLocaleString()} out · ${r.tokens.cacheRead.toLocaleString()} cache read`);
  c.foot.replaceChildren(el('div', 'facts', facts.filter(Boolean).join(' · ')));
  if (r.error) c.foot.append(el('div', 'error', `${r.error.kind}: ${r.error.message}${r.error.hint ? ` — ${r.error.hint}` : ''}`));
}

function receive(m: Exclude<CompareHostMessage, { type: 'didReply' }>): void {
  switch (m.type) {
    case 'didLoad':
      title.replaceChildren(el('span', 'label', 'Broadcast'), el('span', 'prompt', m.prompt));
      grid.replaceChildren();
      columns.clear();
      grid.style.setProperty('--columns', String(Math.max(1, m.columns.length)));
      for (const c of m.columns) {
        const col = el('section', 'column');
        col.dataset.name = c.name;
        const head = el('div', 'column-head');
        head.append(el('span', 'name', c.name), el('span', 'detail', `${c.backendLabel} · ${c.model}`));
        const body = el('div', 'column-body');
        const foot = el('div', 'column-foot', 'answering…');
        col.append(head, body, foot);
        grid.append(col);
        const md = new StreamingMarkdown(body, decorate);
        columns.set(c.name, { md, foot, col });
        if (m.partial[c.name]) md.append(m.partial[c.name]);
        if (m.results[c.name]) finish(c.name, m.results[c.name]);
      }
      return;
    case 'didStream':
      columns.get(m.name)?.md.append(m.text);
      return;
    case 'didFinish':
      finish(m.name, m.result);
      return;
  }
}

document.addEventListener('click', (e) => {
  const b = (e.target as Element).closest('button');
  const code = b?.dataset.action === 'copy' ? codeOf(b) : undefined;
  if (code !== undefined) host.post({ type: 'copy', text: code });
});

handleLinkClicks((href) => host.post({ type: 'openLink', href }));

host.post({ type: 'ready' });
