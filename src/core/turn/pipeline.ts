import type { TurnEmit, TurnNext, TurnRequest, TurnResult, TurnStage, TurnTerminal } from './types';

/**
 * An ordered list of stages ending in the one that runs the session (given per run: each instance brings its own
 * sessions). With no stages, a turn is exactly the session's turn.
 */
export class TurnPipeline {
  private readonly stages: readonly TurnStage[];

  constructor(stages: readonly TurnStage[] = []) {
    this.stages = [...stages];
  }

  get size(): number {
    return this.stages.length;
  }

  run(request: TurnRequest, emit: TurnEmit, terminal: TurnTerminal): Promise<TurnResult> {
    const at =
      (i: number, outer: TurnEmit): TurnNext =>
      (r, inner = outer) =>
        i === this.stages.length ? terminal(r, inner) : this.stages[i](r, at(i + 1, inner), inner);
    // A stage that throws synchronously still fails the turn through its promise, like every other failure.
    return Promise.resolve().then(() => at(0, emit)(request));
  }
}
