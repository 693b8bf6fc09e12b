/**
 * The parts of an instance's spec that may change while it lives (each is persisted with it by the Fleet): its
 * compression switch and its own fallback chain. The cap is cost/budgetCaps.ts's `withBudget`. Kept out of
 * instance.ts, which only swaps the spec (`respec`).
 */
import { FleetError } from './errors';
import type { InstanceSpec } from './instanceTypes';
import { parseChain } from './routing/chainConfig';

export function withCompress(spec: InstanceSpec, on: boolean): InstanceSpec {
  const { compress: _old, ...rest } = spec;
  return on ? rest : { ...rest, compress: false };
}

/**
 * The spec with its own fallback chain set from `chain` (links or "backend:model" strings, as at spawn); an empty
 * list or undefined removes it, so the global `llmFleet.fallback.chain` applies again. A bad link is refused whole,
 * with the parser's words: a chain saved half is a chain the user did not ask for.
 */
export function withFallback(spec: InstanceSpec, chain: unknown): InstanceSpec {
  const { fallback: _old, ...rest } = spec;
  if (chain === undefined || chain === 'global') return rest;
  const parsed = parseChain(chain, 'The fallback chain');
  if (parsed.problems.length > 0) throw new FleetError('invalid_argument', parsed.problems.join(' '));
  // An empty chain of its own is kept: no fallback for this instance, whatever the global setting says.
  return { ...rest, fallback: parsed.links };
}
