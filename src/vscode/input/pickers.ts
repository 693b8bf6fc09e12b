import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import type { InstanceInfo } from '../../core/instanceInfo';
import { nameProblem } from '../../core/names';
import { BACKEND_ICONS, describeInstance } from '../presentation';
import { askText, pickMany, pickOne } from './quickInput';

/** What a command receives as its first argument: a tree node, a name from the API, or nothing (palette). */
export function nameFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { name?: unknown }).name === 'string') return (arg as { name: string }).name;
  return undefined;
}

function item(info: InstanceInfo): vscode.QuickPickItem & { name: string } {
  return { label: `$(${BACKEND_ICONS[info.backend]}) ${info.name}`, description: describeInstance(info), name: info.name };
}

/** The instance a command acts on: the argument when given, else a picker. Undefined when there is none or the user cancels. */
export async function instanceFor(
  fleet: Fleet,
  arg: unknown,
  options: { title: string; filter?: (i: InstanceInfo) => boolean; preselect?: string; emptyMessage?: string },
): Promise<string | undefined> {
  const given = nameFromArg(arg);
  if (given) return given;
  const candidates = fleet.list().filter(options.filter ?? (() => true));
  if (candidates.length === 0) {
    const choice = await vscode.window.showInformationMessage(options.emptyMessage ?? 'LLM Fleet: there are no instances yet.', 'Spawn Instance…');
    if (choice) await vscode.commands.executeCommand('llmFleet.spawn');
    return undefined;
  }
  const items = candidates.map(item);
  const preselected = items.find((i) => i.name === options.preselect);
  if (preselected) items.splice(items.indexOf(preselected), 1), items.unshift({ ...preselected, detail: 'last used' });
  return (await pickOne(items, { title: options.title, placeholder: 'Instance', matchOnDescription: true }))?.name;
}

/** Several instances, all checked to start with. */
export async function instancesFor(fleet: Fleet, arg: unknown, title: string): Promise<string[] | undefined> {
  if (Array.isArray(arg) && arg.every((a) => nameFromArg(a))) return arg.map((a) => nameFromArg(a)!);
  const all = fleet.list();
  if (all.length === 0) {
    void vscode.window.showInformationMessage('LLM Fleet: there are no instances to broadcast to. Spawn one first.');
    return undefined;
  }
  const picked = await pickMany(all.map((i) => ({ ...item(i), picked: true })), { title, placeholder: 'Instances to ask' });
  return picked && picked.length > 0 ? picked.map((p) => p.name) : undefined;
}

/** Validates a new instance name as the Fleet would, plus uniqueness. */
export function newNameProblem(fleet: Fleet, name: string): string | undefined {
  return nameProblem(name) ?? (fleet.has(name) ? `An instance named '${name}' already exists.` : undefined);
}

/** A free name like `base-2`, for input defaults. */
export function suggestName(fleet: Fleet, base: string): string {
  const stem = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'instance';
  if (!fleet.has(stem)) return stem;
  for (let i = 2; ; i++) if (!fleet.has(`${stem}-${i}`)) return `${stem}-${i}`;
}

export async function promptFor(title: string, placeHolder = 'Ask anything'): Promise<string | undefined> {
  const text = await askText({
    title,
    placeholder: placeHolder,
    ignoreFocusOut: true,
    validate: (v) => (v.trim() ? undefined : 'The prompt is empty.'),
  });
  return text?.trim() ? text : undefined;
}
