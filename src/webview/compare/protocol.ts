/**
 * The broadcast comparison webview's protocol, shared by host and webview. One column per instance. Any command may
 * be sent as a request (see ../shared/messaging.ts) to get a `didReply`.
 */
import type { TokensView } from '../chat/protocol';
import { isWebUrl } from '../shared/links';
import type { DidReply } from '../shared/messaging';

export interface ColumnView {
  readonly name: string;
  readonly backendLabel: string;
  readonly model: string;
}

export interface ColumnResult {
  readonly ok: boolean;
  readonly text: string;
  readonly model?: string;
  readonly cost?: string;
  readonly latencyMs: number;
  readonly tokens?: TokensView;
  readonly error?: { readonly kind: string; readonly message: string; readonly hint?: string };
}

export type CompareHostMessage =
  | { readonly type: 'didLoad'; readonly prompt: string; readonly columns: readonly ColumnView[]; readonly results: Readonly<Record<string, ColumnResult>>; readonly partial: Readonly<Record<string, string>> }
  | { readonly type: 'didStream'; readonly name: string; readonly text: string }
  | { readonly type: 'didFinish'; readonly name: string; readonly result: ColumnResult }
  | DidReply;

export type CompareWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'copy'; readonly text: string }
  /** A link in model output was clicked: only absolute http(s) URLs parse (see ../shared/links.ts). */
  | { readonly type: 'openLink'; readonly href: string };

export function parseCompareMessage(raw: unknown): CompareWebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'copy' && typeof m.text === 'string') return { type: 'copy', text: m.text };
  if (m.type === 'openLink' && typeof m.href === 'string' && isWebUrl(m.href)) return { type: 'openLink', href: m.href };
  return undefined;
}
