import { BACKEND_KINDS, ROLES, type BackendKind } from './kinds';
import { FleetError } from './errors';
import type { SpawnOptions } from './fleetTypes';
import type { InstanceSpec } from './instance';
import { parseChain } from './routing/chainConfig';

/** Instance names double as file names and CLI arguments, so they are kept to a safe, readable alphabet. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 64;

/** How a value that should have been text reads in a message ("a number", "a list"), for callers of the API. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Why a name is unusable, or undefined when it is fine. Quick inputs call this as the user types. */
export function nameProblem(name: unknown): string | undefined {
  if (name !== undefined && typeof name !== 'string') return `An instance name must be text, not ${describeValue(name)}.`;
  if (typeof name !== 'string' || name.trim() === '') return 'An instance name is required.';
  if (name.length > MAX_NAME_LENGTH) return `An instance name can have at most ${MAX_NAME_LENGTH} characters.`;
  if (!NAME_PATTERN.test(name)) {
    return `'${name}' is not a valid instance name: use letters, digits, '.', '_' or '-', starting with a letter or digit.`;
  }
  return undefined;
}

/** Why a prompt cannot be asked. A number or an object is named as such: "empty" would send the caller looking for whitespace. */
export function promptProblem(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return `The prompt must be text, not ${describeValue(prompt)}.`;
  if (prompt.trim() === '') return 'The prompt is empty. Write what to ask.';
  return undefined;
}

export function checkPrompt(prompt: unknown): asserts prompt is string {
  const problem = promptProblem(prompt);
  if (problem) throw new FleetError('invalid_argument', problem);
}

/** Model ids seen in the wild: `claude-sonnet-5[1m]`, `qwen2.5:7b`, `org/model@rev`. No spaces or quotes. */
const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@\[\]-]*$/;

export function modelProblem(model: unknown): string | undefined {
  if (model !== undefined && typeof model !== 'string') return `The model must be text, not ${describeValue(model)}.`;
  if (typeof model !== 'string' || model.trim() === '') return 'A model is required.';
  if (model.length > 200 || !MODEL_PATTERN.test(model)) {
    return `'${model}' is not a valid model name: use letters, digits and . _ : / @ [ ] -.`;
  }
  return undefined;
}

export function backendProblem(backend: unknown): string | undefined {
  if (typeof backend === 'string' && (BACKEND_KINDS as readonly string[]).includes(backend)) return undefined;
  return `Unknown backend '${String(backend)}'. Known backends: ${BACKEND_KINDS.join(', ')}.`;
}

export function roleProblem(role: unknown): string | undefined {
  if (typeof role === 'string' && (ROLES as readonly string[]).includes(role)) return undefined;
  return `Unknown role '${String(role)}'. Roles: ${ROLES.join(', ')}.`;
}

/** An explicitly empty chain at spawn: no fallback for this instance, whatever the global setting says. */
const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;

/** Checks what a spawn (or a fork's override) asks for against the backends set up, and fills in the defaults. */
export function checkSpec(o: SpawnOptions | undefined, available: readonly BackendKind[]): InstanceSpec {
  if (typeof o !== 'object' || o === null) {
    throw new FleetError('invalid_argument', `Spawn needs options with a backend and a model, e.g. { backend: 'anthropic', model: 'claude-haiku-4-5' }; it got ${describeValue(o)}.`);
  }
  const problem = backendProblem(o.backend) ?? modelProblem(o.model) ?? (o.role === undefined ? undefined : roleProblem(o.role));
  if (problem) throw new FleetError(backendProblem(o.backend) ? 'unknown_backend' : 'invalid_argument', problem);
  if (!available.includes(o.backend)) {
    throw new FleetError('unknown_backend', `The ${o.backend} backend is not set up. Available: ${available.join(', ') || 'none'}.`);
  }
  if (o.systemPrompt !== undefined && typeof o.systemPrompt !== 'string') throw new FleetError('invalid_argument', 'The system prompt must be text.');
  const chain = parseChain(o.fallback, 'The fallback chain');
  if (chain.problems.length > 0) throw new FleetError('invalid_argument', chain.problems[0]);
  return { backend: o.backend, model: o.model, systemPrompt: o.systemPrompt || undefined, role: o.role ?? 'general', options: { ...o.options }, ...(o.compress === false ? { compress: false as const } : {}), ...(chain.links.length || isEmptyList(o.fallback) ? { fallback: chain.links } : {}) };
}
