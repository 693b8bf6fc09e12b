import type { AskHandle } from './askHandle';
import { errorMessage, FleetError } from './errors';
import type { Cost } from './cost/cost';
import type { Usage } from './cost/usage';
import { AskFailedError } from './instance';
import { describeValue } from './names';

/** One instance's part of a broadcast: a failure is a result too, with whatever text arrived. */
export interface BroadcastResult {
  readonly name: string;
  readonly ok: boolean;
  readonly text: string;
  readonly model?: string;
  readonly usage?: Usage;
  readonly cost?: Cost;
  readonly latencyMs: number;
  readonly error?: { readonly kind: string; readonly message: string; readonly hint?: string };
}

/** The instances a broadcast goes to, each once. A lone name is refused: spread into a Set it would be its letters. */
export function broadcastTargets(names: unknown, all: readonly string[]): string[] {
  if (names !== 'all' && !Array.isArray(names)) {
    const got = typeof names === 'string' ? `the name '${names}'; to ask one instance, pass ['${names}']` : describeValue(names);
    throw new FleetError('invalid_argument', `Broadcast takes a list of instance names or 'all', not ${got}.`);
  }
  const targets = names === 'all' ? [...all] : [...new Set<string>(names)];
  if (targets.length === 0) throw new FleetError('invalid_argument', 'Broadcast needs at least one instance: name one, or spawn one first.');
  return targets;
}

/** Runs `ask` for each name, at most `limit` at once, and returns the results in the order of `names`. */
export async function runBroadcast(
  names: readonly string[],
  ask: (name: string) => AskHandle,
  limit: number,
  now: () => number,
): Promise<BroadcastResult[]> {
  const results: BroadcastResult[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      results[index] = await askOne(names[index], ask, now);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, names.length)) }, worker));
  return results;
}

async function askOne(name: string, ask: (name: string) => AskHandle, now: () => number): Promise<BroadcastResult> {
  const started = now();
  try {
    const m = await ask(name);
    return { name, ok: true, text: m.text, model: m.model, usage: m.usage, cost: m.cost, latencyMs: m.latencyMs };
  } catch (e) {
    if (e instanceof AskFailedError) {
      const a = e.answer;
      return { name, ok: false, text: a.text, model: a.model, latencyMs: a.latencyMs, error: { kind: e.kind, message: e.message, hint: e.hint } };
    }
    const kind = e instanceof FleetError ? e.code : 'unknown';
    return { name, ok: false, text: '', latencyMs: now() - started, error: { kind, message: errorMessage(e) } };
  }
}
