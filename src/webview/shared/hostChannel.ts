/**
 * The page's end of the webview base (src/vscode/webviewBase.ts): `post` sends and forgets, `request` returns a
 * Promise that the host's `didReply` settles, and everything else the host sends goes to the page's handler.
 * No DOM types: the page passes `window` and its `acquireVsCodeApi()` handle, and unit tests pass fakes.
 */
import type { DidReply, Outgoing } from './messaging';

export interface HostChannel<Out> {
  post(message: Out): void;
  /** Resolves when the host handled the message, rejects with the host's error when it failed. */
  request(message: Out): Promise<void>;
}

interface MessageSource {
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

export function connectToHost<In extends { readonly type: string }, Out extends object>(
  api: { postMessage(message: Outgoing<Out>): void },
  source: MessageSource,
  onMessage: (message: Exclude<In, DidReply>) => void,
): HostChannel<Out> {
  // A reloaded page starts counting again, and a reply meant for the page before it may still be on its way: the
  // per-load prefix keeps that reply from settling this page's request of the same number.
  const load = Math.random().toString(36).slice(2, 10);
  let sent = 0;
  const pending = new Map<string, { resolve(): void; reject(e: Error): void }>();

  source.addEventListener('message', (event) => {
    const m = event.data as In | DidReply;
    if (typeof m !== 'object' || m === null) return;
    if (m.type !== 'didReply') return onMessage(m as Exclude<In, DidReply>);
    const reply = m as DidReply;
    const waiting = pending.get(reply.requestId);
    if (!waiting) return; // not ours (an earlier load's), or answered already
    pending.delete(reply.requestId);
    if (reply.ok) waiting.resolve();
    else waiting.reject(new Error(reply.error ?? 'The host could not do that.'));
  });

  return {
    post: (message) => api.postMessage(message as Outgoing<Out>),
    request: (message) =>
      new Promise<void>((resolve, reject) => {
        const requestId = `${load}-${++sent}`;
        pending.set(requestId, { resolve, reject });
        api.postMessage({ ...message, requestId });
      }),
  };
}
