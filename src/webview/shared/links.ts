/**
 * Which URLs in model output may become links: absolute http(s) only. Both sides use it: the renderer, so nothing
 * else is drawn as a link, and the host, which opens only what passes (through `vscode.env.openExternal`, so VS
 * Code's trusted-domains prompt applies). Relative, root-relative and protocol-relative URLs would resolve against
 * the webview's own origin, which under code-server forwards `/proxy/<port>/` to any local port. Plain code: no DOM.
 */
export function isWebUrl(href: string): boolean {
  if (!/^https?:\/\//i.test(href)) return false;
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
