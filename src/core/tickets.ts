import { randomUUID } from 'node:crypto';
import type { AskHandle } from './askHandle';
import { errorMessage, FleetError } from './errors';
import { AskFailedError } from './instance';
import type { AssistantMessage } from './transcript';

export type PollResult =
  | { readonly status: 'pending'; readonly name: string; readonly text: string }
  | { readonly status: 'done'; readonly name: string; readonly text: string; readonly message: AssistantMessage }
  | { readonly status: 'error'; readonly name: string; readonly text: string; readonly error: string; readonly kind: string };

/** Background asks: a ticket per ask, polled later. Old settled tickets are dropped past a bound. */
export class Tickets {
  private readonly entries = new Map<string, { handle: AskHandle; result?: PollResult }>();

  constructor(private readonly keep = 500) {}

  issue(handle: AskHandle): string {
    const ticket = randomUUID();
    const entry: { handle: AskHandle; result?: PollResult } = { handle };
    this.entries.set(ticket, entry);
    handle.then(
      (message) => (entry.result = { status: 'done', name: handle.name, text: message.text, message }),
      (e) =>
        (entry.result = {
          status: 'error',
          name: handle.name,
          text: e instanceof AskFailedError ? e.answer.text : handle.text,
          error: errorMessage(e),
          kind: e instanceof AskFailedError ? e.kind : e instanceof FleetError ? e.code : 'unknown',
        }),
    );
    this.prune();
    return ticket;
  }

  poll(ticket: string): PollResult {
    const entry = this.entries.get(ticket);
    if (!entry) throw new FleetError('invalid_argument', `Unknown ticket '${ticket}'. It may have expired (finished tickets past the newest ${this.keep} are dropped); ask again with askAsync.`);
    return entry.result ?? { status: 'pending', name: entry.handle.name, text: entry.handle.text };
  }

  /** Tickets in issue order, newest last, for a "show background result" picker. */
  list(): Array<{ ticket: string; name: string; prompt: string; settled: boolean }> {
    return [...this.entries].map(([ticket, e]) => ({ ticket, name: e.handle.name, prompt: e.handle.prompt, settled: !!e.result }));
  }

  private prune(): void {
    for (const [ticket, e] of this.entries) {
      if (this.entries.size <= this.keep) break;
      if (e.result) this.entries.delete(ticket);
    }
  }
}
