import { el } from './vscodeApi';

/** Wraps each `<pre>` of a rendered fragment with a toolbar; clicks are handled by one delegated listener. */
export function decorateCodeBlocks(fragment: DocumentFragment, actions: ReadonlyArray<{ action: string; label: string }>): void {
  for (const pre of fragment.querySelectorAll('pre')) {
    const bar = el('div', 'code-actions');
    for (const a of actions) {
      const b = el('button', 'code-action', a.label);
      b.type = 'button';
      b.dataset.action = a.action;
      bar.appendChild(b);
    }
    const wrap = el('div', 'code-block');
    pre.replaceWith(wrap);
    wrap.append(bar, pre);
  }
}

/** The code text of the block a toolbar button belongs to. */
export function codeOf(button: Element): string | undefined {
  return button.closest('.code-block')?.querySelector('pre')?.textContent ?? undefined;
}
