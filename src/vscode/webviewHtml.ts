import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../webview/shared/escape';

/** Options that confine a webview to the built webview folder and media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * The one place webview HTML is built. `default-src 'none'`; scripts only with a fresh crypto nonce; styles and
 * fonts only from the extension, no images at all (model output must not make requests); initial state travels
 * in an escaped `data-state` attribute, never in an inline script.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: { bundle: string; css: string; title: string; state: unknown }): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page.bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', page.css));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    // The pages ship no images, and model output is rendered without any. `${webview.cspSource}` would not do: under
    // code-server it is the workbench's own origin, whose /proxy/<port>/ reaches any port on the machine.
    "img-src 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(page.title)}</title>
</head>
<body data-state="${escapeHtml(JSON.stringify(page.state))}">
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
