import type { StatusChange, StreamDelta, TurnComplete, TurnNotice, TurnStart } from './fleetTypes';
import type { InstanceHost } from './instanceTypes';
import type { InstanceInfo } from './instanceInfo';
import { Disposable, Emitter, type Event } from './lifecycle';
import type { Logger } from './log';

/** The callbacks of an InstanceHost that only report what happened; the Fleet supplies the rest. */
export type InstanceReports = Pick<InstanceHost, 'onStatus' | 'onTurnStart' | 'onDelta' | 'onTurnComplete' | 'onChange' | 'onWarning' | 'onTurnEvent'>;

/**
 * The Fleet's event surface, kept apart from its operations (fleet.ts): the events views, the API and the control
 * server listen to, and the instance callbacks that fire them and write the log lines an instance reports.
 */
export abstract class FleetEvents extends Disposable {
  protected readonly _onDidSpawn = this._register(new Emitter<InstanceInfo>());
  readonly onDidSpawn: Event<InstanceInfo> = this._onDidSpawn.event;
  protected readonly _onDidChangeStatus = this._register(new Emitter<StatusChange>());
  readonly onDidChangeStatus: Event<StatusChange> = this._onDidChangeStatus.event;
  protected readonly _onDidStartTurn = this._register(new Emitter<TurnStart>());
  readonly onDidStartTurn: Event<TurnStart> = this._onDidStartTurn.event;
  protected readonly _onDidStream = this._register(new Emitter<StreamDelta>());
  readonly onDidStream: Event<StreamDelta> = this._onDidStream.event;
  protected readonly _onDidTurnEvent = this._register(new Emitter<TurnNotice>());
  readonly onDidTurnEvent: Event<TurnNotice> = this._onDidTurnEvent.event;
  protected readonly _onDidCompleteTurn = this._register(new Emitter<TurnComplete>());
  readonly onDidCompleteTurn: Event<TurnComplete> = this._onDidCompleteTurn.event;
  protected readonly _onDidKill = this._register(new Emitter<{ readonly name: string }>());
  readonly onDidKill: Event<{ readonly name: string }> = this._onDidKill.event;
  protected readonly _onDidRename = this._register(new Emitter<{ readonly oldName: string; readonly newName: string }>());
  readonly onDidRename = this._onDidRename.event;
  /** Anything else about an instance changed: its reported model, its queue, a warning, its transcript's marks. */
  protected readonly _onDidChangeInstance = this._register(new Emitter<{ readonly name: string; readonly warning?: string; readonly transcriptChanged?: boolean }>());
  readonly onDidChangeInstance = this._onDidChangeInstance.event;

  /** What every instance reports, as these events (and log lines for warnings, stage notes and fallback attempts). */
  protected reports(log: Logger | undefined): InstanceReports {
    return {
      onStatus: (i, previous) => this._onDidChangeStatus.fire({ name: i.name, status: i.status, previous }),
      onTurnStart: (i, handle, message) => this._onDidStartTurn.fire({ name: i.name, askId: handle.id, message }),
      onDelta: (i, handle, delta) => {
        if (this._onDidStream.hasListeners) this._onDidStream.fire({ name: i.name, askId: handle.id, delta });
      },
      onTurnComplete: (i, handle, message) => this._onDidCompleteTurn.fire({ name: i.name, askId: handle.id, message }),
      onChange: (i) => this._onDidChangeInstance.fire({ name: i.name }),
      onWarning: (i, warning) => {
        log?.warn(`${i.name}: ${warning}`);
        this._onDidChangeInstance.fire({ name: i.name, warning });
      },
      onTurnEvent: (i, handle, event) => {
        if (event.type === 'note') log?.info(`${i.name}: ${event.stage}: ${event.text}`);
        if (event.type === 'attempt' && event.attempt.reason) log?.info(`${i.name}: trying ${event.attempt.backend} ${event.attempt.model}: ${event.attempt.reason}`);
        this._onDidTurnEvent.fire({ name: i.name, askId: handle.id, event: event as TurnNotice['event'] });
      },
    };
  }
}
