/**
 * The chain-building dialog: one menu of the links in order (pick one to move or remove it), Add a link (a backend,
 * then one of its models or a typed id), Use the global chain, Clear, and Save. Shared by "Set Fallback Chain…"
 * (commands/fallbackCommands.ts) and the spawn wizard's chain step (chainStep.ts); the editing itself is the pure
 * ChainDraft (../chainEditing.ts). Built on quickInput.ts's picks, so tests answer it through inputProbe.ts.
 */
import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { BackendFinding } from '../../core/backends/detect';
import { modelProblem } from '../../core/names';
import { parseChain } from '../../core/routing/chainConfig';
import type { FallbackLink, TurnTarget } from '../../core/turn/types';
import { briefChain, ChainDraft, linkLabel } from '../chainEditing';
import { listModels } from '../modelCatalog';
import { BACKEND_ICONS, BACKEND_LABELS } from '../presentation';
import { BACK, inputStep, pickStep, type PickItem, type StepInfo } from './quickInput';

type MainAction = { kind: 'save' } | { kind: 'link'; index: number } | { kind: 'add' } | { kind: 'global' } | { kind: 'clear' };

/** The global chain, as the fallback stage reads it (bad links left out; the setting's problems are said elsewhere). */
export function globalChain(): FallbackLink[] {
  return parseChain(vscode.workspace.getConfiguration('llmFleet').get<unknown>('fallback.chain')).links;
}

export interface ChainDialog {
  readonly backends: readonly Backend[];
  /** What detection found, read when a link's backend is picked. */
  findings(): readonly BackendFinding[];
  /** The menu's title, and in a wizard its step (which gives the menu a Back button). */
  readonly info: StepInfo;
  /** The instance's own target: the menu says the chain is tried after it, and a link equal to it is warned of. */
  readonly target?: TurnTarget;
  /** The Save item's label (the wizard says "Use this chain"). */
  readonly saveLabel?: string;
  /** Offer "Use the global chain" (the wizard has it as a choice of its own step). */
  readonly offerGlobal?: boolean;
}

/** The menu, looped until Save (the draft to save), Back (only in a wizard) or Escape (undefined). */
export async function editChain(d: ChainDialog, start: ChainDraft): Promise<ChainDraft | typeof BACK | undefined> {
  let draft = start;
  for (;;) {
    const global = globalChain();
    const { errors, warnings } = draft.problems(d.target);
    const save = d.saveLabel ?? 'Save';
    const items: Array<PickItem<MainAction | undefined>> = [
      {
        label: errors.length ? `$(error) ${save} (fix the chain first)` : `$(check) ${save}`,
        description: draft.followsGlobal ? `follow the global chain${global.length ? `: ${briefChain(global)}` : ' (none set)'}` : draft.links.length ? briefChain(draft.links) : 'no fallback',
        detail: [...errors, ...warnings].join(' ') || undefined,
        value: { kind: 'save' },
      },
      { label: d.target ? `Chain, tried in order after ${d.target.model}` : 'Chain, tried in order', kind: vscode.QuickPickItemKind.Separator, value: undefined },
      ...draft.links.map((l, index): PickItem<MainAction> => ({
        label: `${index + 1}. $(${BACKEND_ICONS[l.backend]}) ${l.model}`,
        description: BACKEND_LABELS[l.backend] + (l.contextWindow ? ` · ${l.contextWindow.toLocaleString('en-US')} tokens` : ''),
        value: { kind: 'link', index },
      })),
      { label: 'Edit', kind: vscode.QuickPickItemKind.Separator, value: undefined },
      { label: '$(add) Add a link…', description: 'a backend and a model, at the end', value: { kind: 'add' } },
      ...(d.offerGlobal === false
        ? []
        : [{ label: '$(globe) Use the global chain', description: global.length ? briefChain(global) : 'llmFleet.fallback.chain is empty', detail: 'No chain of its own: the setting applies, also when it changes later.', value: { kind: 'global' } as const }]),
      { label: '$(clear-all) Clear', description: 'no links: no fallback for this instance', value: { kind: 'clear' } },
    ];
    const action = await pickStep(d.info, items, { placeholder: `Pick a link to move or remove it, or an edit; ${save} sets it` });
    if (action === BACK || action === undefined) return action;
    if (action.kind === 'save') {
      if (errors.length === 0) return draft;
      void vscode.window.showErrorMessage(`LLM Fleet: the chain is not saved: ${errors.join(' ')}`);
    } else if (action.kind === 'add') {
      const link = await pickLink(d);
      if (link) draft = draft.add(link);
    } else if (action.kind === 'global') draft = draft.useGlobal(global);
    else if (action.kind === 'clear') draft = draft.clear();
    else draft = await editLink(draft, action.index);
  }
}

/** Move up, move down or remove one link; Escape leaves it as it was. */
async function editLink(draft: ChainDraft, index: number): Promise<ChainDraft> {
  const last = draft.links.length - 1;
  const items: Array<PickItem<'up' | 'down' | 'remove'>> = [
    ...(index > 0 ? [{ label: '$(arrow-up) Move up', value: 'up' as const }] : []),
    ...(index < last ? [{ label: '$(arrow-down) Move down', value: 'down' as const }] : []),
    { label: '$(trash) Remove', value: 'remove' },
  ];
  const picked = await pickStep({ title: `LLM Fleet: Link ${index + 1}: ${linkLabel(draft.links[index])}` }, items);
  if (picked === 'up') return draft.move(index, -1);
  if (picked === 'down') return draft.move(index, 1);
  if (picked === 'remove') return draft.remove(index);
  return draft;
}

/** A backend (with what detection found), then one of its models, or any typed id; Escape adds nothing. */
async function pickLink(d: ChainDialog): Promise<FallbackLink | undefined> {
  const findings = d.findings();
  const b = await pickStep(
    { title: 'LLM Fleet: Add a Fallback Link (1/2)' },
    d.backends.map((backend): PickItem<Backend> => {
      const f = findings.find((x) => x.kind === backend.kind);
      return { label: `$(${BACKEND_ICONS[backend.kind]}) ${BACKEND_LABELS[backend.kind]}`, description: f ? (f.usable ? '$(check) ready' : '$(warning) not set up') : undefined, detail: f && !f.usable ? f.hint ?? f.detail : undefined, value: backend };
    }),
    { placeholder: 'Backend' },
  );
  if (!b || b === BACK) return undefined;
  const TYPE = '\u0000type';
  const models = listModels(b).then(({ models: list, problem }) => [
    ...list.map((m): PickItem<string> => ({ label: m.id, description: m.detail, value: m.id })),
    { label: '$(edit) Another model…', description: problem ?? 'type its id', value: TYPE },
  ]);
  let id = await pickStep({ title: `LLM Fleet: Add a Fallback Link (2/2): ${b.label}` }, models, { placeholder: 'Model' });
  if (id === TYPE) id = await inputStep({ title: `LLM Fleet: Model for ${b.label}` }, { prompt: 'The model id the backend knows, e.g. qwen2.5:7b', validate: (v) => modelProblem(v.trim()) });
  return typeof id === 'string' && id.trim() ? { backend: b.kind, model: id.trim() } : undefined;
}
