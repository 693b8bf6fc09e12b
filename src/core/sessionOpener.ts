import type { Backend } from './backends/backend';
import { cliBackstopUsd, withCliBackstop } from './cost/budgetCaps';
import { FleetError } from './errors';
import type { InstanceSpec } from './instance';
import type { BackendKind } from './kinds';
import type { OpenSession } from './turn/sessions';

/**
 * How the Fleet opens sessions for the instance `name` spawned with `spec`, on whichever target a turn goes to (its
 * own backend, or a router's or fallback chain's pick). `liveSpec` and `liveName` are the spec and name as they are
 * at each turn.
 */
export function sessionOpener(backends: ReadonlyMap<BackendKind, Backend>, name: string, spec: InstanceSpec, liveSpec: () => InstanceSpec, liveName: () => string = () => name): OpenSession {
  return (target, sessionState) => {
    const backend = backends.get(target.backend);
    if (!backend) throw new FleetError('unknown_backend', `The ${target.backend} backend is not available.`);
    // Backend-specific options belong to the instance's own backend; another target runs with its defaults.
    const own = target.backend === spec.backend;
    const options = own ? withCliBackstop(spec) : {};
    // The cap as it is at each turn, so "Set Budget…" reaches a backend's own backstop on a running instance.
    const spendCapUsd = own ? () => cliBackstopUsd(liveSpec()) : undefined;
    return backend.openSession({ instanceName: name, currentName: liveName, model: target.model, systemPrompt: spec.systemPrompt, role: spec.role, options, state: sessionState, ...(spendCapUsd ? { spendCapUsd } : {}) });
  };
}
