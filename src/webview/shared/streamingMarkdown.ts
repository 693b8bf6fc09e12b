import { lex, renderTokens } from './render';

/** Adds Copy / Insert buttons to the code blocks of a freshly rendered fragment (built with DOM calls, no HTML). */
export type Decorate = (fragment: DocumentFragment) => void;

/**
 * Renders a streamed Markdown answer incrementally. Blocks that are complete (another block has started after them)
 * are rendered once and appended; only the last, still-growing block is re-rendered, and at most once per frame.
 * The cost per frame is the size of the open block, not of the whole answer.
 */
export class StreamingMarkdown {
  private text = '';
  /** Characters of `text` already rendered into finished blocks. */
  private committed = 0;
  private scheduled = false;
  private readonly done: HTMLElement;
  private readonly live: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly decorate: Decorate = () => {},
    private readonly schedule: (cb: () => void) => void = (cb) => requestAnimationFrame(cb),
  ) {
    this.done = root.appendChild(document.createElement('div'));
    this.live = root.appendChild(document.createElement('div'));
    this.done.className = 'md-done';
    this.live.className = 'md-live';
  }

  get value(): string {
    return this.text;
  }

  append(delta: string): void {
    this.text += delta;
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Renders what has arrived now, synchronously. */
  render(): void {
    const tokens = lex(this.text.slice(this.committed));
    let last = tokens.length - 1;
    while (last > 0 && tokens[last].type === 'space') last--;
    if (last > 0) {
      const finished = tokens.slice(0, last);
      const fragment = renderTokens(finished, tokens.links);
      this.decorate(fragment);
      this.done.appendChild(fragment);
      this.committed += finished.reduce((n, t) => n + t.raw.length, 0);
    }
    const fragment = renderTokens(tokens.slice(Math.max(0, last)), tokens.links);
    this.decorate(fragment);
    this.live.replaceChildren(fragment);
  }

  /**
   * The answer is complete: the final DOM is exactly the whole answer's rendering. When the whole answer lexes into
   * the same leading blocks as the ones already rendered, only the rest is rendered (the chat's last frame stays as
   * cheap as any other); otherwise, or when link definitions could reach back into earlier blocks, all of it is.
   */
  finish(text = this.text): void {
    const streamed = text === this.text && this.committed > 0;
    this.text = text;
    const tokens = lex(text);
    let start = 0;
    if (streamed && Object.keys(tokens.links).length === 0) {
      let offset = 0;
      for (; start < tokens.length && offset < this.committed; start++) offset += tokens[start].raw.length;
      if (offset !== this.committed) start = 0;
    }
    // The tokens are lexed already: render from them, whole or the rest.
    const fragment = renderTokens(start === 0 ? tokens : tokens.slice(start), tokens.links);
    this.decorate(fragment);
    if (start === 0) this.done.replaceChildren(fragment);
    else this.done.appendChild(fragment);
    this.live.replaceChildren();
    this.committed = text.length;
  }
}
