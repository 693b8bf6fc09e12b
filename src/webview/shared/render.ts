import DOMPurify from 'dompurify';
import { Marked, type Token, type Tokens, type TokensList } from 'marked';
import { escapeHtml as escapeText } from './escape';
import { isWebUrl } from './links';

/**
 * The one renderer for model output and tool input, in every view (chat, comparison, and the views to come).
 *
 * Model output is Markdown, and raw HTML in it is text: `<style>`, `Promise<void>` and `a<b and c>d` appear exactly
 * as written, entities too (`&amp;` stays `&amp;`), as chat products show them. That happens here, in the renderer,
 * so no HTML from the model ever reaches a parser: nothing after a `<style>` can vanish, and no handler attribute
 * can trip the CSP (the console stays quiet). Images are never loaded: an image becomes its alt text and URL. Only
 * absolute http(s) URLs become links; anything else (relative, `command:`, `file:`, `vscode:`) is text.
 *
 * DOMPurify stays as a second layer, allowing exactly what this renderer emits: no `class`, `id`, `name` or
 * `style`, so model output cannot dress up as our own UI or clobber the page's globals.
 */


const link = (href: string, label: string, title?: string | null) => `<a href="${escapeText(href)}" title="${escapeText(title || href)}">${label}</a>`;

const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      const shown = escapeText(text.replace(/\n+$/, ''));
      // An HTML block (a line that starts with a tag) keeps its line breaks; inline HTML is just more of the line.
      return block ? `<p>${shown.replace(/\n/g, '<br>')}</p>\n` : shown;
    },
    text(t: Tokens.Text | Tokens.Escape) {
      if ('tokens' in t && t.tokens) return this.parser.parseInline(t.tokens);
      // A text token's `text` has entities decoded (`&#60;` is already `<`); its `raw` is what the model wrote. A
      // backslash escape (`\*`) is the one place where the decoded form is what was meant.
      return escapeText(t.type === 'text' ? t.raw : t.text);
    },
    link({ href, title, tokens, text, autolink }: Tokens.Link) {
      const label = autolink ? escapeText(text) : this.parser.parseInline(tokens);
      return isWebUrl(href) ? link(href, label, title) : label;
    },
    image({ href, text }: Tokens.Image) {
      const alt = `[image: ${escapeText(text || 'no description')}]`;
      return isWebUrl(href) ? `${alt} ${link(href, escapeText(href))}` : `${alt} ${escapeText(href)}`;
    },
    checkbox({ checked }: Tokens.Checkbox) {
      return `<input type="checkbox" disabled${checked ? ' checked' : ''}> `;
    },
    code({ text }: Tokens.Code) {
      // The fence's language is the model's word; it is not turned into a class.
      return `<pre><code>${escapeText(text.replace(/\n$/, ''))}\n</code></pre>\n`;
    },
    codespan({ text }: Tokens.Codespan) {
      return `<code>${escapeText(text)}</code>`;
    },
  },
});

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'input'];
const ALLOWED_ATTR = ['href', 'title', 'align', 'start', 'type', 'checked', 'disabled'];

let purifier: ReturnType<typeof DOMPurify> | undefined;

/** A DOMPurify of our own (hooks stay ours), bound to this page's window. */
function purify(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A' && !isWebUrl(node.getAttribute('href') ?? '')) node.removeAttribute('href');
    // The only input the renderer makes is a task list's checkbox: anything else goes, and it never takes a click.
    if (node.nodeName === 'INPUT') {
      if (node.getAttribute('type') !== 'checkbox') node.remove();
      else node.setAttribute('disabled', '');
    }
  });
  return (purifier = p);
}

/** The second layer alone: exported so tests can prove it holds even against HTML the renderer would never make. */
export function sanitize(html: string): DocumentFragment {
  return purify().sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: /^https?:\/\//i,
    // DOMPurify checks every attribute not marked URI-safe against the URI pattern; only `href` holds a URL here.
    ADD_URI_SAFE_ATTR: ['title', 'align', 'start', 'type', 'checked', 'disabled'],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  }) as DocumentFragment;
}

export function lex(text: string): TokensList {
  return markdown.lexer(text);
}

/** Renders lexed tokens, keeping the link definitions the lexer found. */
export function renderTokens(tokens: Token[], links: TokensList['links']): DocumentFragment {
  return sanitize(markdown.parser(Object.assign(tokens, { links }) as TokensList));
}

/** Model output or tool input, whole, as a fragment of safe DOM (never a string for innerHTML). */
export function renderMarkdown(text: string): DocumentFragment {
  return sanitize(markdown.parse(text) as string);
}
