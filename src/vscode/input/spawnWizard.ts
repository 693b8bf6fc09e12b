import type { Backend } from '../../core/backends/backend';
import type { BackendKind, Role } from '../../core/kinds';
import { ROLES } from '../../core/kinds';
import type { BackendFinding } from '../../core/backends/detect';
import type { Fleet } from '../../core/fleet';
import type { SpawnOptions } from '../../core/fleetTypes';
import { modelProblem } from '../../core/names';
import { AUTO_MODEL } from '../../core/routing/router';
import type { FallbackLink } from '../../core/turn/types';
import { listModels } from '../modelCatalog';
import { BACKEND_ICONS, BACKEND_LABELS } from '../presentation';
import { inputStep, into, pickStep, runSteps, type PickItem, type Step } from './quickInput';
import { newNameProblem, suggestName } from './pickers';
import { chainStep } from './chainStep';

const ROLE_DETAIL: Readonly<Record<Role, string>> = {
  general: 'A conversation like any other',
  orchestrator: 'Plans and hands work to other instances',
  worker: 'Takes tasks from an orchestrator; may run with a lean prompt',
  gateway: 'A cheap model that distils big inputs; runs with a lean prompt',
};

interface SpawnState {
  backend?: BackendKind;
  model?: string;
  name?: string;
  role?: Role;
  systemPrompt?: string;
  /** Absent: the global chain; []: none; else the instance's own (chainStep.ts). */
  fallback?: readonly FallbackLink[];
}

/** One item per backend, with what detection found: usable ones say so, the others say why and what to do. */
function backendItems(backends: readonly Backend[], findings: readonly BackendFinding[]): PickItem<BackendKind>[] {
  return backends.map((b) => {
    const f = findings.find((x) => x.kind === b.kind);
    return {
      label: `$(${BACKEND_ICONS[b.kind]}) ${BACKEND_LABELS[b.kind]}`,
      description: f ? (f.usable ? '$(check) ready' : '$(warning) not set up') : undefined,
      detail: f ? [f.detail, f.usable ? undefined : f.hint].filter(Boolean).join(' ') : undefined,
      value: b.kind,
    };
  });
}

/** The router picks backend and model per ask (src/core/routing/router.ts); this backend is the instance's home. */
const AUTO_ITEM: PickItem<string> = {
  label: '$(sparkle) Auto (router)',
  description: AUTO_MODEL,
  detail: 'Each ask goes to a model chosen for it (small for easy requests, strong for hard ones), per llmFleet.router.policy; the choice is explained in the chat.',
  value: AUTO_MODEL,
};

/** Model step: the models the backend really has, Auto (the router), and any typed id that the Fleet would accept. */
export function modelStep<S extends { model?: string }>(backendOf: (state: S) => Backend, title: string): Step<S> {
  return async (state, pos) => {
    const b = backendOf(state);
    const items = listModels(b).then(({ models, problem }) => {
      // Auto comes last: Enter on the first item keeps meaning "this backend's first model", as before.
      const list: PickItem<string>[] = [...models.map((m) => ({ label: m.id, description: m.detail, value: m.id })), AUTO_ITEM];
      return problem ? [{ label: `$(warning) ${problem}`, description: 'type a model name instead', value: '', alwaysShow: true }, ...list].filter((i) => i.value || i.label) : list;
    });
    return into(state, (s, v: string) => (s.model = v), await pickStep({ title, ...pos }, items, {
      placeholder: `Model for ${b.label} (type any id)`,
      allowCustom: (t) => t,
      validate: modelProblem,
      active: state.model,
    }).then((v) => (v === '' ? undefined : v)));
  };
}

/** The multi-step Spawn Instance input: backend, model, fallback chain, name, role, system prompt. Each step validates as you type. */
export async function spawnWizard(
  fleet: Fleet,
  backends: readonly Backend[],
  findings: readonly BackendFinding[],
  preset: Partial<SpawnState> = {},
): Promise<{ name: string; options: SpawnOptions } | undefined> {
  const title = 'LLM Fleet: Spawn Instance';
  const byKind = (k: BackendKind | undefined) => backends.find((b) => b.kind === k) ?? backends[0];
  const steps: Step<SpawnState>[] = [
    async (state, pos) =>
      into(state, (s, v: BackendKind) => (s.backend = v), await pickStep({ title, ...pos }, backendItems(backends, findings), { placeholder: 'Backend', active: state.backend ?? findings.find((f) => f.usable)?.kind })),
    modelStep<SpawnState>((s) => byKind(s.backend), title),
    chainStep<SpawnState>({ backends, findings: () => findings }, title),
    async (state, pos) =>
      into(state, (s, v: string) => (s.name = v), await inputStep({ title, ...pos }, {
        prompt: 'A name for the instance (letters, digits, . _ -)',
        value: state.name ?? suggestName(fleet, state.model?.split(/[:/]/)[0] ?? 'instance'),
        validate: (v) => newNameProblem(fleet, v),
      })),
    async (state, pos) =>
      into(state, (s, v: Role) => (s.role = v), await pickStep({ title, ...pos }, ROLES.map((r) => ({ label: r, detail: ROLE_DETAIL[r], value: r })), { placeholder: 'Role', active: state.role ?? 'general' })),
    async (state, pos) =>
      into(state, (s, v: string) => (s.systemPrompt = v || undefined), await inputStep({ title, ...pos }, {
        prompt: 'System prompt (optional; press Enter to skip)',
        value: state.systemPrompt ?? '',
      })),
  ];
  const done = await runSteps<SpawnState>({ ...preset }, steps);
  if (!done?.backend || !done.model || !done.name) return undefined;
  return { name: done.name, options: { backend: done.backend, model: done.model, role: done.role, systemPrompt: done.systemPrompt, ...(done.fallback ? { fallback: done.fallback } : {}) } };
}
