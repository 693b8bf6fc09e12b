import { isWebUrl } from './links';

/**
 * Routes clicks on links in rendered model output to the host, which opens them with `openExternal` (and VS Code's
 * trusted-domains prompt). The webview never follows a link itself, and neither may the frame around it: VS Code's
 * webview host opens any real click on an `<a href>` it sees on the window, cancelled or not, without asking. So
 * the click is taken in the capture phase, before it gets there, and goes no further.
 */
export function handleLinkClicks(open: (href: string) => void): void {
  for (const type of ['click', 'auxclick'] as const) {
    window.addEventListener(
      type,
      (e) => {
        const a = (e.target as Element | null)?.closest?.('a');
        if (!a) return;
        e.preventDefault();
        e.stopPropagation();
        const href = a.getAttribute('href') ?? '';
        // A middle click opens too, as it would in a browser; other buttons do nothing.
        if (isWebUrl(href) && (type === 'click' || (e as MouseEvent).button === 1)) open(href);
      },
      true,
    );
  }
}
