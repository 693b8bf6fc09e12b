import type { Fleet } from './core/fleet';

/**
 * The extension's public API, returned from `activate()`: the Fleet's operations and events, for other extensions
 * and for tests. `vscode.extensions.getExtension('llm-fleet.llm-fleet').exports`.
 *
 * **One rule for errors.** A caller handles a method's failure in one place, never two:
 * - A method that returns a Promise (`fork`, `broadcast`, `kill`, `killAll`) reports every failure, bad input
 *   included, by rejecting that Promise. It never throws synchronously.
 * - A method that returns at once (`spawn`, `ask`, `askAsync`, `relay`, `poll`, `rename`, `cancel`, `status`,
 *   `list`) throws at once on bad input: a bad or unknown name, a killed instance, a prompt that is not text.
 *   `ask` and `relay` return an AskHandle; the handle is a Promise for the answer, so what goes wrong after the ask
 *   has started (the provider fails, the ask is cancelled, the instance is killed) rejects the handle instead.
 * Input errors are `FleetError`s with a `code` and a message that says what to do next; an answer that failed is an
 * `AskFailedError` with a `kind` and the partial answer. A new method goes under one of the two rules.
 */
export type LlmFleetApi = Pick<
  Fleet,
  | 'spawn'
  | 'ask'
  | 'askAsync'
  | 'poll'
  | 'cancel'
  | 'fork'
  | 'relay'
  | 'broadcast'
  | 'kill'
  | 'killAll'
  | 'list'
  | 'status'
  | 'rename'
  | 'onDidSpawn'
  | 'onDidStartTurn'
  | 'onDidRename'
  | 'onDidChangeStatus'
  | 'onDidStream'
  | 'onDidCompleteTurn'
  | 'onDidKill'
>;

export function createApi(fleet: Fleet): LlmFleetApi {
  return {
    spawn: fleet.spawn.bind(fleet),
    ask: fleet.ask.bind(fleet),
    askAsync: fleet.askAsync.bind(fleet),
    poll: fleet.poll.bind(fleet),
    cancel: fleet.cancel.bind(fleet),
    fork: fleet.fork.bind(fleet),
    relay: fleet.relay.bind(fleet),
    broadcast: fleet.broadcast.bind(fleet),
    kill: fleet.kill.bind(fleet),
    killAll: fleet.killAll.bind(fleet),
    list: fleet.list.bind(fleet),
    status: fleet.status.bind(fleet),
    rename: fleet.rename.bind(fleet),
    onDidSpawn: fleet.onDidSpawn,
    onDidStartTurn: fleet.onDidStartTurn,
    onDidRename: fleet.onDidRename,
    onDidChangeStatus: fleet.onDidChangeStatus,
    onDidStream: fleet.onDidStream,
    onDidCompleteTurn: fleet.onDidCompleteTurn,
    onDidKill: fleet.onDidKill,
  };
}
