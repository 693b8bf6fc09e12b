/**
 * The spawn wizard's optional "Fallback chain" step: the global chain (the default, named as it is now), none for
 * this instance, or an own chain built with Set Fallback Chain…'s dialog (chainDialog.ts). Back on the dialog's menu
 * returns to these three choices; Escape cancels the wizard, as on every other step.
 */
import type { Backend } from '../../core/backends/backend';
import type { BackendFinding } from '../../core/backends/detect';
import type { BackendKind } from '../../core/kinds';
import type { FallbackLink } from '../../core/turn/types';
import { briefChain, ChainDraft } from '../chainEditing';
import { editChain, globalChain } from './chainDialog';
import { BACK, pickStep, type PickItem, type Step } from './quickInput';

/** What the step leaves in the wizard's state: absent, the global chain; [] none; else the instance's own chain. */
export interface ChainState {
  backend?: BackendKind;
  model?: string;
  fallback?: readonly FallbackLink[];
}

type Choice = 'global' | 'none' | 'choose';

export function chainStep<S extends ChainState>(deps: { backends: readonly Backend[]; findings: () => readonly BackendFinding[] }, title: string): Step<S> {
  return async (state, pos) => {
    const global = globalChain();
    const own = state.fallback?.length ? state.fallback : undefined;
    const items: PickItem<Choice>[] = [
      { label: '$(globe) Use the global chain', description: `llmFleet.fallback.chain: ${global.length ? briefChain(global) : 'none'}`, detail: 'Follows the setting, also when it changes later.', value: 'global' },
      { label: '$(circle-slash) None for this instance', description: 'no fallback, whatever the setting says', value: 'none' },
      { label: '$(list-ordered) Choose…', description: own ? `now: ${briefChain(own)}` : 'an ordered chain of backends and models, tried when the model fails', value: 'choose' },
    ];
    const active: Choice = state.fallback === undefined ? 'global' : own ? 'choose' : 'none';
    for (;;) {
      const choice = await pickStep({ title, ...pos }, items, { placeholder: 'Fallback chain (optional): what is tried when the model fails', active });
      if (choice === undefined || choice === BACK) return choice;
      if (choice === 'global') {
        delete state.fallback;
        return 'next';
      }
      if (choice === 'none') {
        state.fallback = [];
        return 'next';
      }
      const target = state.backend && state.model ? { backend: state.backend, model: state.model } : undefined;
      const draft = await editChain(
        { backends: deps.backends, findings: deps.findings, info: { title: `${title}: Fallback Chain`, ...pos }, target, saveLabel: 'Use this chain', offerGlobal: false },
        ChainDraft.from(own ? { source: 'own', links: own } : { source: 'none', links: [] }),
      );
      if (draft === undefined) return undefined;
      if (draft === BACK) continue;
      state.fallback = draft.links.map((l) => ({ ...l }));
      return 'next';
    }
  };
}
