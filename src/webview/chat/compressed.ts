/**
 * The chat's view of compression: messages a compression dropped are folded under one marker per compression,
 * "compressed: N earlier messages", which shows the summary that now stands in for them (or why a sliding window
 * was used) and, one click further, the dropped messages themselves. Nothing is hidden for good.
 */
import { el } from '../shared/vscodeApi';
import type { MessageView } from './protocol';

/** The transcript's elements in order, with each compression's messages folded under its marker. */
export function renderTranscript(messages: readonly MessageView[], render: (m: MessageView) => HTMLElement): HTMLElement[] {
  const out: HTMLElement[] = [];
  const groups = new Map<string, { marker: HTMLElement; dropped: HTMLElement; count: number }>();
  for (const m of messages) {
    if (!m.compressedBy) {
      out.push(render(m));
      continue;
    }
    let g = groups.get(m.compressedBy);
    if (!g) {
      const marker = el('details', 'compressed');
      marker.dataset.compression = m.compressedBy;
      marker.append(el('summary', 'compressed-title', 'compressed: earlier messages'));
      const dropped = el('details', 'compressed-dropped');
      dropped.append(el('summary', 'link', 'Show the dropped messages'));
      marker.append(dropped);
      g = { marker, dropped, count: 0 };
      groups.set(m.compressedBy, g);
      out.push(marker);
    }
    g.count++;
    g.dropped.append(render(m));
    if (m.compression) describeCompression(g.marker, g.dropped, m.compression);
  }
  for (const g of groups.values()) {
    const title = g.marker.querySelector(':scope > summary')!;
    const n = g.marker.dataset.dropped ? Number(g.marker.dataset.dropped) : g.count;
    title.textContent = `compressed: ${n} earlier message${n === 1 ? '' : 's'}`;
  }
  return out;
}

/** The marker's body: the summary (as text: it is model output) or why the window was used, and the figures. */
function describeCompression(marker: HTMLElement, dropped: HTMLElement, c: NonNullable<MessageView['compression']>): void {
  marker.dataset.dropped = String(c.dropped);
  marker.classList.add(`compressed-${c.mode}`);
  const figures = `${c.tokensBefore.toLocaleString()} → ${c.tokensAfter.toLocaleString()} tokens${c.summarizer ? ` · summary by ${c.summarizer}` : ''}`;
  const parts: HTMLElement[] = [el('div', 'compressed-figures', figures)];
  if (c.mode === 'window') parts.push(el('div', 'note', `Sliding window: ${c.note ?? 'no summarizer is set'}.`));
  if (c.summary) parts.push(el('div', 'compressed-summary', c.summary));
  dropped.before(...parts);
}
