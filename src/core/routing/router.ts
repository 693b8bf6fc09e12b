/**
 * The router stage: for an instance spawned with model `auto`, it picks the backend and model of each turn from the
 * request's features (./features.ts), the instance's role, the policy, which backends are set up and healthy, the
 * budget left and whether the context fits the model's window. Rules are data (./routerRules.ts); every choice is
 * explained in one line, which goes to the chat (a `note`), the attempt and so the ledger (`TurnRequest.reason`).
 * It is the outermost stage, so compression, fallback, the ledger and the budget all see the chosen target.
 */
import { BackendError } from '../errors';
import { BACKEND_LABELS, type BackendKind } from '../kinds';
import { defaultPrice, type Cost } from '../cost/cost';
import { money } from '../cost/budgetCaps';
import { emptyUsage, type Usage } from '../cost/usage';
import type { TurnRequest, TurnStage, TurnTarget } from '../turn/types';
import { extractFeatures, readWindow, type PromptFeatures, type RequestKind } from './features';
import { DEFAULT_MODELS, DEFAULT_POLICY, DEFAULT_RULES, TIERS, type RouterPolicy, type RouterRule, type RouterSettings, type RuleWhen, type Tier, type TierModel } from './routerRules';

/** The model an instance is spawned with to have the router choose for it (on any backend; that one is its home). */
export const AUTO_MODEL = 'auto';

export function isAuto(target: TurnTarget): boolean {
  return target.model === AUTO_MODEL;
}

/** Output assumed per kind of request, in tokens: for the cost estimate and the room a reply needs in the window. */
export const OUTPUT_TOKENS: Readonly<Record<RequestKind, number>> = { lookup: 200, writing: 600, coding: 900, reasoning: 700 };

export interface RouterOptions {
  /** Backends set up here (configured or detected); undefined (or no function): every one the catalog names. */
  readonly backends?: () => readonly BackendKind[] | undefined;
  /** Health: false while a backend cools down or was marked unhealthy (see ./health.ts when present). */
  readonly isAvailable?: (backend: BackendKind) => boolean;
  /** Dollars left under the tightest spending cap that applies to this request; undefined when none applies. */
  readonly budgetLeft?: (request: TurnRequest) => number | undefined | Promise<number | undefined>;
  /** Prices as the Fleet does; default: the built-in table, Ollama local. */
  readonly price?: (backend: BackendKind, usage: Usage, model: string) => Cost;
  /** The models per tier; default: the shipped ones. */
  readonly models?: readonly TierModel[];
  readonly settings?: Pick<RouterSettings, 'policy' | 'rules'>;
}

/** What the router decided, and why. */
export interface RouteDecision {
  readonly target: TurnTarget;
  readonly tier: Tier;
  readonly rule: string;
  readonly policy: RouterPolicy;
  readonly features: PromptFeatures;
  /** The estimated cost of this request at the chosen model; undefined when unpriced. */
  readonly estimatedUsd?: number;
  /** Candidates passed over, each with the reason. */
  readonly skipped: readonly string[];
  /** The one line shown in the chat and kept in the ledger. */
  readonly explanation: string;
}

/** What a decision is made from, beyond the request's own words. */
export interface RouteInput {
  readonly features: PromptFeatures;
  /** The instance's own backend: preferred when all else is equal. */
  readonly home: BackendKind;
  readonly budgetLeft?: number;
}

interface Candidate extends TierModel {
  readonly usd: number | undefined;
  readonly local: boolean;
}

const rank = (t: Tier) => TIERS.indexOf(t);
const list = <T>(v: T | readonly T[] | undefined): readonly T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v as T]);
const label = (c: { backend: BackendKind; model: string }) => `${c.model} on ${BACKEND_LABELS[c.backend]}`;
const count = (n: number) => n.toLocaleString('en-US');

/** Whether a rule's `when` holds for these features under this policy. */
export function ruleMatches(when: RuleWhen, f: PromptFeatures, policy: RouterPolicy, prompt = ''): boolean {
  if (when.kind !== undefined && !list(when.kind)!.includes(f.kind)) return false;
  if (when.code !== undefined && when.code !== f.code) return false;
  if (when.complex !== undefined && when.complex !== f.complex) return false;
  if (when.simple !== undefined && when.simple !== f.simple) return false;
  if (when.minSignals !== undefined && f.signals.length < when.minSignals) return false;
  if (when.role !== undefined && !list(when.role)!.includes(f.role)) return false;
  if (when.policy !== undefined && !list(when.policy)!.includes(policy)) return false;
  if (when.minTokens !== undefined && f.tokens < when.minTokens) return false;
  if (when.maxTokens !== undefined && f.tokens > when.maxTokens) return false;
  if (when.matches !== undefined && !new RegExp(when.matches, 'i').test(prompt)) return false;
  return true;
}

/**
 * "short lookup (a short factual question)", "hard coding (debugging a subtle fault, performance)", "short writing,
 * no clear easy sign", "long writing with code, role worker".
 */
export function describeFeatures(f: PromptFeatures): string {
  const plain = `${f.tokens < 1500 ? 'short' : 'long'} ${f.kind}${f.code ? ' with code' : ''}`;
  const more = f.signals.length > 3 ? ` and ${f.signals.length - 3} more` : '';
  const what = f.complex ? `hard ${f.kind} (${f.signals.slice(0, 3).join(', ')}${more})` : f.simple ? `${plain} (${f.easy.join(', ')})` : `${plain}, no clear easy sign`;
  return f.role === 'general' ? what : `${what}, role ${f.role}`;
}

export class Router {
  private settings: Pick<RouterSettings, 'policy' | 'rules'>;
  private readonly price: NonNullable<RouterOptions['price']>;
  private readonly models: readonly TierModel[];

  constructor(private readonly options: RouterOptions = {}) {
    this.settings = options.settings ?? { policy: DEFAULT_POLICY, rules: DEFAULT_RULES };
    this.price = options.price ?? defaultPrice;
    this.models = options.models ?? DEFAULT_MODELS;
  }

  /** New policy and rules from settings; the next auto turn uses them. */
  configure(settings: Pick<RouterSettings, 'policy' | 'rules'>): void {
    this.settings = settings;
  }

  get policy(): RouterPolicy {
    return this.settings.policy;
  }

  /** The stage: routes auto turns, passes every other one through untouched. */
  readonly stage: TurnStage = async (request, next, emit) => {
    if (!isAuto(request.target)) return next(request);
    const decision = this.decide(request, await this.options.budgetLeft?.(request));
    emit({ type: 'note', stage: 'router', text: decision.explanation });
    return next({ ...request, target: decision.target, reason: decision.explanation });
  };

  /** The decision for a request (its features read from its history, system prompt and role). */
  decide(request: TurnRequest, budgetLeft?: number): RouteDecision {
    const { spec } = request.instance;
    const features = extractFeatures(request.history, { system: spec.systemPrompt, role: spec.role as PromptFeatures['role'] });
    const prompt = request.history.at(-1)?.text ?? '';
    return this.route({ features, home: spec.backend, budgetLeft }, prompt);
  }

  /** The decision from features alone: pure and synchronous (the evaluation and the benchmark call it directly). */
  route(input: RouteInput, prompt = ''): RouteDecision {
    const { features: f } = input;
    const policy = this.settings.policy;
    const skipped: string[] = [];
    // A user's pattern reads the same window the signs read, so a slow one cannot stall the host on a huge paste.
    const read = readWindow(prompt);
    for (const [i, rule] of this.settings.rules.entries()) {
      if (!ruleMatches(rule.when, f, policy, read)) continue;
      const name = rule.name ?? `rule ${i + 1}`;
      const picked = 'tier' in rule.use ? this.inTier(shift(rule.use.tier, policy), input, skipped) : this.exact(rule, input, skipped);
      if (picked) return this.decision(picked.candidate, picked.tier, name, input, skipped);
    }
    const what = policy === 'offline' ? 'Policy offline allows only Ollama, and no Ollama model is available that holds this request' : 'No backend is available that holds this request';
    const tried = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
    throw new BackendError('bad_request', `The router found no model: ${what}${tried}.`, {
      hint: policy === 'offline' ? 'Start Ollama (ollama serve) and pull a model, or choose another llmFleet.router.policy.' : 'Set up a backend (LLM Fleet: Set API Key…, or start Ollama), wait for a cooling-down one, or ask a fixed model (a plain Ask, or an instance spawned on one).',
    });
  }

  /** The backends a choice may go to now: set up, healthy, and allowed by the policy. */
  private usable(backend: BackendKind): boolean {
    return this.present(backend) && (this.options.isAvailable?.(backend) ?? true);
  }

  /** Set up here and allowed by the policy: the others are never candidates, and not worth a mention. */
  private present(backend: BackendKind): boolean {
    if (this.settings.policy === 'offline' && backend !== 'ollama') return false;
    const configured = this.options.backends?.();
    return !configured || configured.includes(backend);
  }

  private candidate(m: TierModel, f: PromptFeatures): Candidate {
    const usage = { ...emptyUsage(), input: f.tokens, output: OUTPUT_TOKENS[f.kind] };
    const cost = this.price(m.backend, usage, m.model);
    return { ...m, usd: cost.usd, local: cost.basis === 'local' };
  }

  /** Why a candidate cannot take the request, or undefined when it can. */
  private refusal(c: TierModel, f: PromptFeatures): string | undefined {
    if (!this.present(c.backend)) return undefined;
    if (!this.usable(c.backend)) return `${BACKEND_LABELS[c.backend]} unavailable`;
    const need = f.tokens + OUTPUT_TOKENS[f.kind];
    if (need > c.window) return `${label(c)}: ${count(f.tokens)} tokens and a reply exceed its ${count(c.window)}-token window`;
    return undefined;
  }

  /**
   * The best model for a tier: the wanted tier first, then larger ones (a larger window, a stronger model), then
   * smaller ones. Within a tier the policy orders backends. A budget that cannot pay for the choice moves it down.
   */
  private inTier(wanted: Tier, input: RouteInput, skipped: string[]): { candidate: Candidate; tier: Tier } | undefined {
    const f = input.features;
    const policy = this.settings.policy;
    const order = [...TIERS.slice(rank(wanted)), ...TIERS.slice(0, rank(wanted)).reverse()];
    const fits: Candidate[] = [];
    const seen = new Set<string>();
    for (const m of this.models) {
      const why = this.refusal(m, f);
      if (why === undefined && this.usable(m.backend)) fits.push(this.candidate(m, f));
      else if (why && !seen.has(why)) {
        seen.add(why);
        if (rank(m.tier) <= rank(wanted) || policy === 'local-first') skipped.push(why);
      }
    }
    // Local-first: Ollama takes whatever it can hold, at any tier; only what it cannot goes to the cloud.
    if (policy === 'local-first') {
      const local = fits.filter((c) => c.backend === 'ollama').sort((a, b) => rank(b.tier) - rank(a.tier))[0];
      if (local) return { candidate: local, tier: local.tier };
    }
    for (const tier of order) {
      const inTier = fits.filter((c) => c.tier === tier).sort((a, b) => this.compare(a, b, input.home));
      if (inTier.length === 0) continue;
      let pick = inTier[0];
      if (tier !== wanted) skipped.push(`no ${wanted}-tier model available, so ${tier}`);
      const left = input.budgetLeft;
      if (left !== undefined && (pick.usd ?? 0) > left) {
        const cheaper = fits.filter((c) => (c.usd ?? 0) <= left && rank(c.tier) <= rank(tier)).sort((a, b) => rank(b.tier) - rank(a.tier) || this.compare(a, b, input.home))[0];
        if (cheaper) {
          skipped.push(`budget: ${money(left)} left, ${pick.model} ~ ${money(pick.usd ?? 0)}`);
          return { candidate: cheaper, tier: cheaper.tier };
        }
      }
      return { candidate: pick, tier };
    }
    return undefined;
  }

  /** Within a tier: cost-first by this request's estimated cost (unpriced last); quality-first cloud first; the home backend breaks ties. */
  private compare(a: Candidate, b: Candidate, home: BackendKind): number {
    if (this.settings.policy === 'quality-first') {
      if (a.local !== b.local) return a.local ? 1 : -1;
    } else {
      const ua = a.usd ?? Infinity;
      const ub = b.usd ?? Infinity;
      if (ua !== ub) return ua - ub;
    }
    return (a.backend === home ? 0 : 1) - (b.backend === home ? 0 : 1);
  }

  /** A rule that names its backend and model: taken if that backend can take the request, else the next rule. */
  private exact(rule: RouterRule, input: RouteInput, skipped: string[]): { candidate: Candidate; tier: Tier } | undefined {
    if ('tier' in rule.use) return undefined;
    const { backend, model } = rule.use;
    const known = this.models.find((m) => m.backend === backend && m.model === model);
    const m: TierModel = { backend, model, tier: known?.tier ?? 'medium', window: rule.use.window ?? known?.window ?? Number.MAX_SAFE_INTEGER };
    const why = this.usable(backend) ? this.refusal(m, input.features) : `${label(m)}: ${this.settings.policy === 'offline' ? 'not local (policy offline)' : `${BACKEND_LABELS[backend]} unavailable`}`;
    if (why) {
      skipped.push(why);
      return undefined;
    }
    return { candidate: this.candidate(m, input.features), tier: m.tier };
  }

  private decision(c: Candidate, tier: Tier, rule: string, input: RouteInput, skipped: readonly string[]): RouteDecision {
    const f = input.features;
    const policy = this.settings.policy;
    const after = skipped.length > 0 ? `; ${skipped.join('; ')}` : '';
    const explanation = `→ ${c.model} (${BACKEND_LABELS[c.backend]}): ${describeFeatures(f)}, ${count(f.tokens)} tokens, policy ${policy}, rule "${rule}"${after}`;
    return { target: { backend: c.backend, model: c.model }, tier, rule, policy, features: f, ...(c.usd !== undefined ? { estimatedUsd: c.usd } : {}), skipped, explanation };
  }
}

/** Quality-first asks one tier more of every rule; the other policies take the rules' tiers as they are. */
function shift(tier: Tier, policy: RouterPolicy): Tier {
  return policy === 'quality-first' ? TIERS[Math.min(TIERS.length - 1, rank(tier) + 1)] : tier;
}
