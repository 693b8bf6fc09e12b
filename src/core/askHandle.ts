import type { AssistantMessage } from './transcript';

/**
 * One ask in flight: await it for the final message, or iterate it for the text deltas as they stream.
 * Deltas are kept in one array that both the partial text and any number of iterators read, so a late iterator
 * still sees every delta and a stream with no iterator costs one array push per delta.
 */
export class AskHandle implements PromiseLike<AssistantMessage>, AsyncIterable<string> {
  private readonly chunks: string[] = [];
  private done = false;
  private failure: unknown;
  private waiters: Array<() => void> = [];
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

  /** @internal Called by the instance for each delta. */
  push(delta: string): void {
    this.chunks.push(delta);
    if (this.waiters.length > 0) this.wake();
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

  /** Yields each delta; throws the ask's error after the deltas that did arrive. */
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let index = 0;
    for (;;) {
      while (index < this.chunks.length) yield this.chunks[index++];
      if (this.done) break;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
