import { BACKEND_KINDS, ROLES } from './backends/backend';

/** Instance names double as file names and CLI arguments, so they are kept to a safe, readable alphabet. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 64;

/** Why a name is unusable, or undefined when it is fine. Quick inputs call this as the user types. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'An instance name is required.';
  if (name.length > MAX_NAME_LENGTH) return `An instance name can have at most ${MAX_NAME_LENGTH} characters.`;
  if (!NAME_PATTERN.test(name)) {
    return `'${name}' is not a valid instance name: use letters, digits, '.', '_' or '-', starting with a letter or digit.`;
  }
  return undefined;
}

/** Model ids seen in the wild: `claude-sonnet-5[1m]`, `qwen2.5:7b`, `org/model@rev`. No spaces or quotes. */
const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@\[\]-]*$/;

export function modelProblem(model: unknown): string | undefined {
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
