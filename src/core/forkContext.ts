import type { SessionState } from './backends/backend';
import { FleetError } from './errors';
import type { ForkOptions } from './fleetTypes';
import type { Instance, InstanceSpec, Lineage } from './instance';
import type { BackendKind } from './kinds';
import { checkSpec } from './names';
import { renderWithParts, transcriptUpTo, type Message } from './transcript';

/**
 * What a fork of `parent` copies: its settled messages up to `atMessage` (inclusive; default all of them). While the
 * parent answers, the question being answered is in its transcript but is no context yet: a child that inherited it
 * would send it again, unanswered, in front of its own first prompt. `isLatest` tells the backend the cut is at the end.
 */
export function forkContext(parent: Instance, atMessage: string | undefined): { messages: Message[]; isLatest: boolean } {
  const settled = parent.settledTranscript;
  const messages = transcriptUpTo(settled, atMessage);
  if (messages) return { messages, isLatest: messages.length === settled.length };
  if (parent.transcript.some((m) => m.id === atMessage)) {
    throw new FleetError('invalid_argument', `Message '${atMessage}' of '${parent.name}' is still being answered. Fork at an earlier message, or wait for the answer.`);
  }
  throw new FleetError('invalid_argument', `Instance '${parent.name}' has no message '${atMessage}'.`);
}

/** What the Fleet supplies to plan a fork: the backends it has, and checks and readings it makes after the await. */
export interface ForkSetting {
  readonly backends: readonly BackendKind[];
  /** Checks the child's name again: while the parent's session state is read, another spawn may take it. */
  recheckName(): void;
  /** The parent's tree root, for forks saved before roots were recorded (Fleet.treeRoot). */
  treeRoot(): string;
  now(): number;
}

/** Everything the child of `parent` (named `source` in the Fleet) starts from: its spec, session state, messages and lineage. */
export async function planFork(parent: Instance, source: string, options: ForkOptions, at: ForkSetting): Promise<{ spec: InstanceSpec; state: SessionState | undefined; messages: Message[]; lineage: Lineage }> {
  const wanted = { ...parent.spec, backend: options.backend ?? parent.spec.backend, model: options.model ?? parent.spec.model };
  const spec = checkSpec(wanted, at.backends);
  // Settled context only: never the question the parent is still answering, nor its partial answer.
  const { messages, isLatest } = forkContext(parent, options.atMessage);
  const forkPoint = messages.at(-1)?.id;
  const crossing = spec.backend !== parent.spec.backend;
  const state = crossing ? undefined : await parent.forkState(forkPoint, isLatest);
  at.recheckName();
  const root = parent.lineage?.root ?? at.treeRoot();
  const lineage: Lineage = { parent: source, root, forkPoint, forkedAt: at.now(), ...(crossing ? { fromBackend: parent.spec.backend } : {}) };
  // Across backends the child gets text: tool calls and reasoning are written out, never dropped.
  const copied = messages.map((m): Message => ({ ...m, inherited: true, ...(crossing && m.role === 'assistant' ? { text: renderWithParts(m), parts: undefined } : {}) }));
  return { spec, state, messages: copied, lineage };
}
