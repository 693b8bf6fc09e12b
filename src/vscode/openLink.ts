import * as vscode from 'vscode';

/**
 * Opens a link from model output through the host, so VS Code's trusted-domains prompt applies. The webview
 * protocols let only absolute http(s) URLs through; `strict` parsing refuses anything that still is not one.
 */
export async function openLink(href: string): Promise<void> {
  await vscode.env.openExternal(vscode.Uri.parse(href, true));
}
