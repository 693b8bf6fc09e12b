/**
 * The router's rules and model tiers as data: the shipped defaults (./routerDefaults.json) and the user's
 * `llmFleet.router.rules`, checked here once so the router only ever sees well-formed rules. A bad rule is said
 * plainly (which rule, which field, what is allowed) and the shipped defaults are used until it is fixed: half a
 * rule list could route in ways nobody wrote.
 */
import { ROLES, type BackendKind, type Role } from '../kinds';
import { backendProblem, modelProblem } from '../names';
import { REQUEST_KINDS, type RequestKind } from './features';
import defaults from './routerDefaults.json';

/** How strong a model is: small ones answer easy requests well and cheaply; large ones are the strongest. */
export type Tier = 'small' | 'medium' | 'large';
export const TIERS: readonly Tier[] = ['small', 'medium', 'large'];

/** How the router trades cost for quality, chosen in `llmFleet.router.policy`. */
export type RouterPolicy = 'cost-first' | 'quality-first' | 'local-first' | 'offline';
export const POLICIES: readonly RouterPolicy[] = ['cost-first', 'quality-first', 'local-first', 'offline'];
export const DEFAULT_POLICY: RouterPolicy = 'cost-first';

/** A model the router may choose, with its tier and context window (tokens). */
export interface TierModel {
  readonly backend: BackendKind;
  readonly model: string;
  readonly tier: Tier;
  readonly window: number;
}

/** What a rule looks at; every field given must hold (a list means any of). An empty `when` matches everything. */
export interface RuleWhen {
  readonly kind?: RequestKind | readonly RequestKind[];
  readonly code?: boolean;
  readonly complex?: boolean;
  /** A clear sign of an easy request (a short factual question, a trivial edit…) and no sign of a hard one. */
  readonly simple?: boolean;
  /** At least this many distinct signs of a hard request. */
  readonly minSignals?: number;
  readonly role?: Role | readonly Role[];
  readonly policy?: RouterPolicy | readonly RouterPolicy[];
  /** Tokens of the whole request (system prompt and history included). */
  readonly minTokens?: number;
  readonly maxTokens?: number;
  /** A regular expression (case-insensitive) the new question must match. */
  readonly matches?: string;
}

/** A tier (the policy picks the backend), or one exact backend and model (with its window, if not in the tiers). */
export type RuleUse = { readonly tier: Tier } | { readonly backend: BackendKind; readonly model: string; readonly window?: number };

export interface RouterRule {
  readonly name?: string;
  readonly when: RuleWhen;
  readonly use: RuleUse;
}

export const DEFAULT_MODELS: readonly TierModel[] = defaults.models as TierModel[];
export const DEFAULT_RULES: readonly RouterRule[] = defaults.rules as RouterRule[];

const WHEN_KEYS = ['kind', 'code', 'complex', 'simple', 'minSignals', 'role', 'policy', 'minTokens', 'maxTokens', 'matches'] as const;

const show = (v: unknown) => JSON.stringify(v) ?? String(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One value or a list of values, each from `allowed`. */
function oneOrMany(v: unknown, allowed: readonly string[], what: string): string | undefined {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) return `${what} must not be an empty list`;
  const bad = list.find((x) => typeof x !== 'string' || !allowed.includes(x));
  return bad === undefined ? undefined : `${what} ${show(bad)} is not one of ${allowed.join(', ')}`;
}

function whenProblem(when: unknown): string | undefined {
  if (!isObject(when)) return `"when" must be an object of features, e.g. {"kind": "lookup", "maxTokens": 2000}, not ${show(when)}`;
  const unknown = Object.keys(when).find((k) => !(WHEN_KEYS as readonly string[]).includes(k));
  if (unknown) return `"when" has an unknown feature "${unknown}"; the features are ${WHEN_KEYS.join(', ')}`;
  if (when.kind !== undefined) return oneOrMany(when.kind, REQUEST_KINDS, '"kind"');
  for (const k of ['code', 'complex', 'simple'] as const) if (when[k] !== undefined && typeof when[k] !== 'boolean') return `"${k}" must be true or false, not ${show(when[k])}`;
  if (when.role !== undefined) {
    const p = oneOrMany(when.role, ROLES, '"role"');
    if (p) return p;
  }
  if (when.policy !== undefined) {
    const p = oneOrMany(when.policy, POLICIES, '"policy"');
    if (p) return p;
  }
  if (when.minSignals !== undefined && (typeof when.minSignals !== 'number' || !Number.isInteger(when.minSignals) || when.minSignals < 1)) return `"minSignals" must be a whole number of signs (1 or more), not ${show(when.minSignals)}`;
  for (const k of ['minTokens', 'maxTokens'] as const) {
    const v = when[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) return `"${k}" must be a number of tokens (0 or more), not ${show(v)}`;
  }
  if (when.matches !== undefined) {
    if (typeof when.matches !== 'string') return `"matches" must be a regular expression as text, not ${show(when.matches)}`;
    try {
      new RegExp(when.matches, 'i');
    } catch (e) {
      return `"matches" is not a valid regular expression: ${(e as Error).message}`;
    }
  }
  return undefined;
}

function useProblem(use: unknown): string | undefined {
  const example = '{"tier": "small"} or {"backend": "ollama", "model": "qwen2.5:7b"}';
  if (!isObject(use)) return `"use" must be ${example}, not ${show(use)}`;
  if ('tier' in use) {
    if (Object.keys(use).length !== 1) return `"use" gives either a tier or a backend and model, not both: ${show(use)}`;
    return TIERS.includes(use.tier as Tier) ? undefined : `"tier" ${show(use.tier)} is not one of ${TIERS.join(', ')}`;
  }
  if (!('backend' in use) || !('model' in use)) return `"use" must be ${example}, not ${show(use)}`;
  const extra = Object.keys(use).find((k) => !['backend', 'model', 'window'].includes(k));
  if (extra) return `"use" has an unknown field "${extra}"; it takes backend, model and window`;
  const p = backendProblem(use.backend) ?? modelProblem(use.model);
  if (p) return p;
  if (use.window !== undefined && (typeof use.window !== 'number' || !Number.isInteger(use.window) || use.window <= 0)) return `"window" must be the model's context window in tokens, not ${show(use.window)}`;
  return undefined;
}

/** Why a rule is unusable, or undefined when it is fine. */
export function ruleProblem(rule: unknown): string | undefined {
  if (!isObject(rule)) return `a rule must be an object {"when": {...}, "use": {...}}, not ${show(rule)}`;
  const extra = Object.keys(rule).find((k) => !['name', 'when', 'use'].includes(k));
  if (extra) return `unknown field "${extra}"; a rule has name, when and use`;
  if (rule.name !== undefined && typeof rule.name !== 'string') return `"name" must be text, not ${show(rule.name)}`;
  return whenProblem(rule.when ?? {}) ?? useProblem(rule.use);
}

export interface RouterSettings {
  readonly policy: RouterPolicy;
  /** The user's rules (tried first) followed by the shipped ones. */
  readonly rules: readonly RouterRule[];
  /** Rules the user wrote that passed (0 when they were refused). */
  readonly userRules: number;
  readonly problems: readonly string[];
}

/**
 * Reads `llmFleet.router.policy` and `llmFleet.router.rules`. A bad policy falls back to cost-first; one bad rule
 * refuses the user's whole list (the shipped rules are used alone), and every problem is listed for the log and a
 * warning.
 */
export function parseRouterSettings(raw: { readonly policy?: unknown; readonly rules?: unknown }): RouterSettings {
  const problems: string[] = [];
  let policy = DEFAULT_POLICY;
  if (raw.policy !== undefined && raw.policy !== null && raw.policy !== '') {
    if (POLICIES.includes(raw.policy as RouterPolicy)) policy = raw.policy as RouterPolicy;
    else problems.push(`llmFleet.router.policy ${show(raw.policy)} is not one of ${POLICIES.join(', ')}; ${DEFAULT_POLICY} is used until it is fixed.`);
  }
  const given = raw.rules ?? [];
  if (!Array.isArray(given)) {
    problems.push(`llmFleet.router.rules must be a list of rules [{"when": {...}, "use": {...}}], not ${show(given)}; the shipped rules are used until it is fixed.`);
    return { policy, rules: DEFAULT_RULES, userRules: 0, problems };
  }
  const bad = given.map((r, i) => [i, ruleProblem(r)] as const).filter(([, p]) => p !== undefined);
  for (const [i, p] of bad) problems.push(`llmFleet.router.rules[${i}]${nameOf(given[i])}: ${p}. Your rules are ignored and the shipped rules used until it is fixed.`);
  if (bad.length > 0) return { policy, rules: DEFAULT_RULES, userRules: 0, problems };
  // A rule without `when` applies to every request.
  const own = (given as RouterRule[]).map((r) => ({ ...r, when: r.when ?? {} }));
  return { policy, rules: [...own, ...DEFAULT_RULES], userRules: given.length, problems };
}

const nameOf = (r: unknown) => (isObject(r) && typeof r.name === 'string' ? ` ("${r.name}")` : '');
