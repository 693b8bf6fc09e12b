/**
 * Ask-level auto: one ask routed as if its instance had been spawned with model `auto`. The ask's turn targets
 * `auto` on the instance's own backend, so the router stage (./router.ts) picks its backend and model with that
 * backend as home, explains the choice (note, attempt, ledger) exactly as for an auto instance, and every later
 * stage sees the chosen target. The next ask without the option targets the instance's own model again.
 *
 * A routed turn that goes to another backend runs on the session the instance holds for that target
 * (../turn/sessions.ts), as a fallback's does: it is sent the transcript, and its answer joins it. A stateful home
 * session (a Claude Code CLI) that missed that answer starts over on the next ask, seeded with the text transcript.
 */
import { FleetError } from '../errors';
import type { AskOptions } from '../fleetTypes';
import { describeValue } from '../names';
import type { TurnTarget } from '../turn/types';
import { AUTO_MODEL } from './router';

export type { AskOptions };

/** An ask's options as its queue keeps them; a bad one fails the call at once, before anything is queued. */
export function checkAskOptions(options: AskOptions | undefined): AskOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new FleetError('invalid_argument', `Ask options must be an object, not ${describeValue(options)}.`);
  const { model, overrideBudget } = options;
  if (model !== undefined && model !== AUTO_MODEL) {
    throw new FleetError('invalid_argument', `An ask's model can only be '${AUTO_MODEL}' (the router picks this one ask's backend and model), not ${typeof model === 'string' ? `'${model}'` : describeValue(model)}. To ask another model, fork the instance onto it.`);
  }
  return { ...(overrideBudget ? { overrideBudget: true } : {}), ...(model === AUTO_MODEL ? { model: AUTO_MODEL } : {}) };
}

/** Where an ask's turn goes: the instance's own target, or `auto` on its backend (the router's home) for a routed ask. */
export function askTarget(spec: TurnTarget, options: AskOptions): TurnTarget {
  return { backend: spec.backend, model: options.model === AUTO_MODEL ? AUTO_MODEL : spec.model };
}
