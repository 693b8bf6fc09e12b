// The real chat page (src/webview/chat/main.ts) in jsdom, for tests that play the host: it runs against a fake
// `acquireVsCodeApi` that records what the page posts, `fromHost` dispatches the host's messages to its window, and
// its document becomes the global `document`.
import { after, before } from 'node:test';
import { JSDOM } from 'jsdom';
import type { HostMessage } from '../../src/webview/chat/protocol';

export interface ChatPage {
  /** What the page posted to the host, in order. */
  readonly sent: Array<Record<string, unknown>>;
  fromHost(m: HostMessage): void;
}

/** Loads the page once for this test file (in `before`), and closes it after. */
export function chatPage(): ChatPage {
  const sent: Array<Record<string, unknown>> = [];
  let dom: JSDOM | undefined;
  before(async () => {
    dom = new JSDOM(`<!DOCTYPE html><body data-state='{"name":"alpha"}'></body>`, { pretendToBeVisual: true });
    const { window } = dom;
    const api = { postMessage: (m: Record<string, unknown>) => sent.push(m), getState: () => undefined, setState: () => undefined };
    // The page's globals: streamed text renders once per animation frame.
    Object.assign(globalThis, { window, document: window.document, requestAnimationFrame: window.requestAnimationFrame.bind(window), acquireVsCodeApi: () => api });
    await import('../../src/webview/chat/main');
  });
  after(() => dom?.window.close()); // its animation frames would keep the process alive
  return {
    sent,
    fromHost: (m) => dom!.window.dispatchEvent(new dom!.window.MessageEvent('message', { data: m })),
  };
}
