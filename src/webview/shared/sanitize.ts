import DOMPurify from 'dompurify';
import { marked, type Token, type TokensList } from 'marked';

marked.use({ gfm: true, breaks: false, async: false });

/**
 * Model output is untrusted HTML. Markdown is rendered by marked, then sanitized by DOMPurify with the HTML profile
 * only (no SVG or MathML), no inline styles, and no form controls; `javascript:` and other unsafe URLs are dropped
 * by DOMPurify's URI check. The result is a fragment, never a string assigned to innerHTML.
 */
export function sanitizeToFragment(html: string): DocumentFragment {
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'link', 'meta', 'base'],
    FORBID_ATTR: ['style', 'srcset', 'formaction'],
    RETURN_DOM_FRAGMENT: true,
  }) as DocumentFragment;
}

export function lex(markdown: string): TokensList {
  return marked.lexer(markdown);
}

/** Renders lexed tokens, keeping the link definitions the lexer found. */
export function renderTokens(tokens: Token[], links: TokensList['links']): DocumentFragment {
  const list = Object.assign(tokens, { links }) as TokensList;
  return sanitizeToFragment(marked.parser(list));
}

export function renderMarkdown(markdown: string): DocumentFragment {
  return sanitizeToFragment(marked.parse(markdown) as string);
}
