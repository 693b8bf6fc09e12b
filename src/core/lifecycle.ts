/**
 * Disposables and events shaped like VS Code's (`vs/base/common/lifecycle.ts`), so the core stays free of the
 * `vscode` module while the host can hand these straight to VS Code APIs that expect `Event<T>` / `Disposable`.
 */

/** Anything that holds resources and can let them go. */
export interface IDisposable {
  dispose(): void;
}

/** A subscription function, as in VS Code: call it with a listener, get back a disposable. */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: IDisposable[]) => IDisposable;

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/**
 * Disposes every item even when some throw, then rethrows: one error as is, several as an AggregateError.
 * Half-disposed state is worse than a late error.
 */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several errors while disposing');
}

/** A group of disposables that are disposed together, once. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      // Adding to a dead store would leak silently; dispose right away instead.
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  delete(item: IDisposable): void {
    this.items.delete(item);
  }

  clear(): void {
    const items = [...this.items];
    this.items.clear();
    disposeAll(items);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
  }
}

/** Base class for objects that own disposables: `this._register(x)` ties x's life to this object's. */
export abstract class Disposable implements IDisposable {
  private readonly store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/**
 * An event source. `fire` calls listeners synchronously in subscription order; a throwing listener is reported
 * through `onListenerError` and does not stop the others (one bad UI listener must not break a stream).
 */
export class Emitter<T> implements IDisposable {
  private listeners: Array<(e: T) => unknown> = [];
  private disposed = false;
  private _event: Event<T> | undefined;

  constructor(private readonly onListenerError: (error: unknown) => void = defaultListenerError) {}

  get event(): Event<T> {
    this._event ??= (listener, thisArgs, disposables) => {
      if (this.disposed) return toDisposable(() => {});
      const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
      // Copy on write, so a listener that unsubscribes during fire does not skip its neighbour.
      this.listeners = [...this.listeners, bound];
      const subscription = toDisposable(() => {
        this.listeners = this.listeners.filter((l) => l !== bound);
      });
      disposables?.push(subscription);
      return subscription;
    };
    return this._event;
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(value: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](value);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

function defaultListenerError(error: unknown): void {
  console.error('Event listener failed:', error);
}
