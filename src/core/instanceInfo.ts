import type { SessionState } from './backends/backend';
import type { BackendKind, Role } from './kinds';
import type { CostTotal } from './cost/cost';
import type { Usage } from './cost/usage';
import type { InstanceReadout, InstanceStatus, LastError, Lineage } from './instance';

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
  };
}
