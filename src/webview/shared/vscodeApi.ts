/** The webview's handle on its host, typed by the page's protocol. `acquireVsCodeApi` may be called only once. */
interface VsCodeApi<TState, TMessage> {
  postMessage(message: TMessage): void;
  getState(): TState | undefined;
  setState(state: TState): void;
}

declare function acquireVsCodeApi<TState, TMessage>(): VsCodeApi<TState, TMessage>;

let api: unknown;

export function vscodeApi<TState, TMessage>(): VsCodeApi<TState, TMessage> {
  api ??= acquireVsCodeApi<TState, TMessage>();
  return api as VsCodeApi<TState, TMessage>;
}

/** The initial state the host put in `<body data-state>`, escaped. */
export function initialState<T>(): T {
  return JSON.parse(document.body.dataset.state ?? '{}') as T;
}

/** Creates an element with classes and text, never parsing HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
