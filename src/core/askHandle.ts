import type { AssistantMessage } from './transcript';

/**
 * One ask in flight: await it for the final message, or iterate it for the text deltas as they stream.
 * Deltas are kept in one array that both the partial text and any number of iterators read, so a late iterator
 * still sees every delta and a stream with no iterator costs one array push per delta.
 */
export class AskHandle implements Promise<AssistantMessage>, AsyncIterable<string> {
  readonly [Symbol.toStringTag] = 'AskHandle';
  private readonly chunks: string[] = [];
  private done = false;
  private failure: unknown;
  private waiters: Array<() => void> = [];
  private wakeScheduled = false;
  private readonly promise: Promise<AssistantMessage>;
  private resolvePromise!: (m: AssistantMessage) => void;
  private rejectPromise!: (e: unknown) => void;

  constructor(
    /** The instance asked. */
    readonly name: string,
    readonly prompt: string,
    readonly id: string,
  ) {
    this.promise = new Promise<AssistantMessage>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    // A handle nobody awaits must not crash the host with an unhandled rejection; failures are also events.
    this.promise.catch(() => {});
  }

  /** The answer so far. */
  get text(): string {
    return this.chunks.join('');
  }

  get settled(): boolean {
    return this.done;
  }

  /**
   * @internal Called by the instance for each delta. A waiting iterator is woken once per macrotask, not per delta:
   * by then the whole network chunk has been parsed, and the iterator drains it without a promise round trip each.
   */
  push(delta: string): void {
    this.chunks.push(delta);
    if (this.waiters.length > 0 && !this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(this.wake);
    }
  }

  /** @internal */
  resolve(message: AssistantMessage): void {
    this.done = true;
    this.resolvePromise(message);
    this.wake();
  }

  /** @internal */
  reject(error: unknown): void {
    this.done = true;
    this.failure = error;
    this.rejectPromise(error);
    this.wake();
  }

  then<R1 = AssistantMessage, R2 = never>(
    onFulfilled?: ((value: AssistantMessage) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise.then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected: (reason: unknown) => R | PromiseLike<R>): Promise<AssistantMessage | R> {
    return this.promise.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<AssistantMessage> {
    return this.promise.finally(onFinally);
  }

  /**
   * Yields each delta; throws the ask's error after the deltas that did arrive. Hand-written rather than an async
   * generator: a generator adds a second promise hop per delta, which the streaming benchmark shows.
   */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    let index = 0;
    const next = (): Promise<IteratorResult<string>> => {
      if (index < this.chunks.length) return Promise.resolve({ done: false, value: this.chunks[index++] });
      if (this.done) return this.failure === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(this.failure);
      return new Promise<void>((resolve) => this.waiters.push(resolve)).then(next);
    };
    return { next };
  }

  private readonly wake = (): void => {
    this.wakeScheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  };
}
