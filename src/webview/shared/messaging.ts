/**
 * The envelope every webview shares with its host, beside the page's own protocol: a page message may carry a
 * `requestId`, and the host then answers it with exactly one `didReply`. The id rides next to the message's own
 * fields, so each page's parser stays about its commands and never sees it. Plain types, no DOM and no `vscode`:
 * both sides import this file.
 */

/** The host's answer to a request: `ok`, or the error the handler threw, as text the page can show. */
export interface DidReply {
  readonly type: 'didReply';
  readonly requestId: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** A page message as it goes on the wire: the page's own message, maybe marked as a request. */
export type Outgoing<T> = T & { readonly requestId?: string };

/** Ids are made by the page (see hostChannel.ts); anything longer or not text is no id, and gets no reply. */
const MAX_REQUEST_ID = 100;

/** The request id of a raw page message, when it carries a usable one. */
export function requestIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { requestId?: unknown }).requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_REQUEST_ID ? id : undefined;
}
