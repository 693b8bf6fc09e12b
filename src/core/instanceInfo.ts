import type { SessionState } from './backends/backend';
import type { BackendKind, Role } from './kinds';
import type { CostTotal } from './cost/cost';
import type { Usage } from './cost/usage';
import type { InstanceReadout, InstanceStatus, LastError, Lineage } from './instance';
import { answeredBy } from './routing/fallback';
import type { Message } from './transcript';
import type { TurnTarget } from './turn/types';

/** A plain snapshot of an instance, safe to hand to views, the API and the control server. */
export interface InstanceInfo {
  readonly name: string;
  readonly backend: BackendKind;
  /** The model the provider reported last, else the one asked for. */
  readonly model: string;
  readonly requestedModel: string;
  readonly role: Role;
  readonly systemPrompt?: string;
  readonly status: InstanceStatus;
  readonly lastError?: LastError;
  readonly lineage?: Lineage;
  readonly usage: Usage;
  readonly cost: CostTotal;
  readonly messageCount: number;
  readonly queued: number;
  readonly createdAt: number;
  readonly session?: SessionState;
  /** False: compression is turned off for this instance. */
  readonly compress?: false;
  /** The instance's own fallback chain, when it has one. */
  readonly fallback?: readonly TurnTarget[];
  /** "answered by fallback: …" when the latest answer came from a later link of the chain. */
  readonly answeredByFallback?: string;
}

export function toInfo(i: InstanceReadout): InstanceInfo {
  return {
    name: i.name,
    backend: i.spec.backend,
    model: i.model,
    requestedModel: i.spec.model,
    role: i.spec.role,
    systemPrompt: i.spec.systemPrompt,
    status: i.status,
    lastError: i.lastError,
    lineage: i.lineage,
    usage: i.totals.usage,
    cost: i.totals.cost,
    messageCount: i.transcript.length,
    queued: i.queued.length,
    createdAt: i.createdAt,
    session: i.sessionState,
    ...(i.spec.compress === false ? { compress: false as const } : {}),
    ...(i.spec.fallback?.length ? { fallback: i.spec.fallback } : {}),
    ...lastFallback(i.transcript),
  };
}

/** The latest answer, when a fallback gave it: which backend answered and why the earlier ones did not. */
function lastFallback(transcript: readonly Message[]): Pick<InstanceInfo, 'answeredByFallback'> {
  const m = transcript.findLast((x) => x.role === 'assistant' && !x.inherited);
  const line = m?.role === 'assistant' ? answeredBy(m) : undefined;
  return line ? { answeredByFallback: line } : {};
}
