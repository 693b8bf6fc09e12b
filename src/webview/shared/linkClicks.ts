import { isWebUrl } from './links';

/**
 * Routes clicks on links in rendered model output to the host, which opens them with `openExternal` (and VS Code's
 * trusted-domains prompt). The webview never follows a link itself.
 */
export function handleLinkClicks(open: (href: string) => void): void {
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a) return;
    e.preventDefault();
    const href = a.getAttribute('href') ?? '';
    if (isWebUrl(href)) open(href);
  });
}
