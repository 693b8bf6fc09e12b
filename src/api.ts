import type { Fleet } from './core/fleet';

/**
 * The extension's public API, returned from `activate()`: the Fleet's operations and events, for other extensions
 * and for tests. `vscode.extensions.getExtension('llm-fleet.llm-fleet').exports`.
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
