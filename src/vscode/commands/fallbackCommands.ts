import * as vscode from 'vscode';
import type { Backend } from '../../core/backends/backend';
import type { Fleet } from '../../core/fleet';
import { modelProblem } from '../../core/names';
import { parseChain } from '../../core/routing/chainConfig';
import type { FallbackLink } from '../../core/turn/types';
import { briefChain, ChainDraft, currentChain, describeCurrent, linkLabel } from '../chainEditing';
import type { BackendDetection } from '../detection';
import { instanceFor } from '../input/pickers';
import { listModels } from '../modelCatalog';
import { BACKEND_ICONS, BACKEND_LABELS } from '../presentation';
import { reporting } from './asking';
import type { Command } from './command';

type Item<T> = vscode.QuickPickItem & { value?: T };
type MainAction = { kind: 'save' } | { kind: 'link'; index: number } | { kind: 'add' } | { kind: 'global' } | { kind: 'clear' };

/** The global chain, as the fallback stage reads it (bad links left out; the setting's problems are said elsewhere). */
function globalChain(): FallbackLink[] {
  return parseChain(vscode.workspace.getConfiguration('llmFleet').get<unknown>('fallback.chain')).links;
}

/**
 * "Set Fallback Chain…" on an instance: shows the chain it follows now (its own, the global one, or none) and edits
 * an ordered chain from the backends set up and their models, then sets it on the running instance (the next ask
 * follows it; it is saved with the instance). Scripts and tests may pass `{ name, chain }`, where chain is a list of
 * links (or "backend:model" strings), [] to remove the instance's own, or "global" for the same.
 */
export class SetFallbackChainCommand implements Command {
  readonly id = 'llmFleet.setFallbackChain';
  constructor(
    private readonly fleet: Fleet,
    private readonly backends: readonly Backend[],
    private readonly detection: BackendDetection,
  ) {}

  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Set Fallback Chain' });
    if (!name) return;
    const given = (typeof arg === 'object' && arg !== null ? arg : {}) as { chain?: unknown };
    if (given.chain !== undefined) {
      await reporting(async () => this.fleet.setFallback(name, given.chain === 'global' ? [] : given.chain));
      return;
    }
    const chain = await this.edit(name);
    if (chain === undefined) return;
    await reporting(async () => {
      this.fleet.setFallback(name, chain);
      const now = currentChain(this.fleet.get(name).spec.fallback, globalChain());
      void vscode.window.setStatusBarMessage(`LLM Fleet: ${name} fallback chain: ${describeCurrent(now)}`, 5000);
    });
  }

  /** The dialog: one menu, looped until Save (returns what to save) or Escape (undefined, nothing changes). */
  private async edit(name: string): Promise<FallbackLink[] | undefined> {
    const spec = this.fleet.get(name).spec;
    const start = currentChain(spec.fallback, globalChain());
    let draft = ChainDraft.from(start);
    for (;;) {
      const global = globalChain();
      const { errors, warnings } = draft.problems({ backend: spec.backend, model: spec.model });
      const items: Array<Item<MainAction>> = [
        {
          label: errors.length ? '$(error) Save (fix the chain first)' : '$(check) Save',
          description: draft.followsGlobal ? `follow the global chain${global.length ? `: ${briefChain(global)}` : ' (none set)'}` : draft.links.length ? briefChain(draft.links) : 'no fallback',
          detail: [...errors, ...warnings].join(' ') || undefined,
          value: { kind: 'save' },
        },
        { label: `Chain, tried in order after ${spec.model}`, kind: vscode.QuickPickItemKind.Separator },
        ...draft.links.map((l, index): Item<MainAction> => ({
          label: `${index + 1}. $(${BACKEND_ICONS[l.backend]}) ${l.model}`,
          description: BACKEND_LABELS[l.backend] + (l.contextWindow ? ` · ${l.contextWindow.toLocaleString('en-US')} tokens` : ''),
          value: { kind: 'link', index },
        })),
        { label: 'Edit', kind: vscode.QuickPickItemKind.Separator },
        { label: '$(add) Add a link…', description: 'a backend and a model, at the end', value: { kind: 'add' } },
        { label: '$(globe) Use the global chain', description: global.length ? briefChain(global) : 'llmFleet.fallback.chain is empty', detail: 'No chain of its own: the setting applies, also when it changes later.', value: { kind: 'global' } },
        { label: '$(clear-all) Clear', description: 'no links (the global chain, if any, then applies)', value: { kind: 'clear' } },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: `LLM Fleet: Fallback Chain of ${name} (now ${describeCurrent(start)})`, placeHolder: 'Pick a link to move or remove it, or an edit; Save sets it' });
      const action = picked?.value;
      if (!action) return undefined;
      if (action.kind === 'save') {
        if (errors.length === 0) return draft.toSave();
        void vscode.window.showErrorMessage(`LLM Fleet: the chain is not saved: ${errors.join(' ')}`);
      } else if (action.kind === 'add') {
        const link = await this.pickLink();
        if (link) draft = draft.add(link);
      } else if (action.kind === 'global') draft = draft.useGlobal(global);
      else if (action.kind === 'clear') draft = draft.clear();
      else draft = await this.editLink(draft, action.index);
    }
  }

  private async editLink(draft: ChainDraft, index: number): Promise<ChainDraft> {
    const last = draft.links.length - 1;
    const items: Array<Item<'up' | 'down' | 'remove'>> = [
      ...(index > 0 ? [{ label: '$(arrow-up) Move up', value: 'up' as const }] : []),
      ...(index < last ? [{ label: '$(arrow-down) Move down', value: 'down' as const }] : []),
      { label: '$(trash) Remove', value: 'remove' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `LLM Fleet: Link ${index + 1}: ${linkLabel(draft.links[index])}` });
    if (picked?.value === 'up') return draft.move(index, -1);
    if (picked?.value === 'down') return draft.move(index, 1);
    if (picked?.value === 'remove') return draft.remove(index);
    return draft;
  }

  /** A backend (with what detection found), then one of its models, or any typed id. */
  private async pickLink(): Promise<FallbackLink | undefined> {
    const findings = this.detection.findings;
    const backend = await vscode.window.showQuickPick(
      this.backends.map((b): Item<Backend> => {
        const f = findings.find((x) => x.kind === b.kind);
        return { label: `$(${BACKEND_ICONS[b.kind]}) ${BACKEND_LABELS[b.kind]}`, description: f ? (f.usable ? '$(check) ready' : '$(warning) not set up') : undefined, detail: f && !f.usable ? f.hint ?? f.detail : undefined, value: b };
      }),
      { title: 'LLM Fleet: Add a Fallback Link (1/2)', placeHolder: 'Backend' },
    );
    const b = backend?.value;
    if (!b) return undefined;
    const { models, problem } = await listModels(b);
    const TYPE = '\u0000type';
    const model = await vscode.window.showQuickPick(
      [...models.map((m): Item<string> => ({ label: m.id, description: m.detail, value: m.id })), { label: '$(edit) Another model…', description: problem ?? 'type its id', value: TYPE }],
      { title: `LLM Fleet: Add a Fallback Link (2/2): ${b.label}`, placeHolder: 'Model' },
    );
    let id = model?.value;
    if (id === TYPE) id = await vscode.window.showInputBox({ title: `LLM Fleet: Model for ${b.label}`, prompt: 'The model id the backend knows, e.g. qwen2.5:7b', validateInput: (v) => modelProblem(v.trim()) });
    return id ? { backend: b.kind, model: id.trim() } : undefined;
  }
}
