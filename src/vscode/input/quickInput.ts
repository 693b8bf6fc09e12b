import * as vscode from 'vscode';
import { inputProbe } from './inputProbe';

/** Returned when the user pressed the Back button of a multi-step input. */
export const BACK = Symbol('back');
export type StepResult<T> = T | typeof BACK | undefined;

export interface StepInfo {
  title: string;
  step?: number;
  totalSteps?: number;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * One quick pick step. `items` may be a promise (e.g. models listed from a server): the picker shows busy until it
 * settles. With `allowCustom`, typed text that matches no item is offered as a value, checked by `validate`. Without
 * a step number it is a plain pick (no Back button), as showQuickPick but answerable by tests (inputProbe.ts).
 */
export function pickStep<T>(
  info: StepInfo,
  items: readonly PickItem<T>[] | Promise<readonly PickItem<T>[]>,
  options: { placeholder?: string; allowCustom?: (text: string) => T; validate?: (text: string) => string | undefined; active?: T } = {},
): Promise<StepResult<T>> {
  const qp = vscode.window.createQuickPick<PickItem<T>>();
  Object.assign(qp, { title: info.title, step: info.step, totalSteps: info.totalSteps, placeholder: options.placeholder, ignoreFocusOut: true, matchOnDescription: true });
  if (info.step && info.step > 1) qp.buttons = [vscode.QuickInputButtons.Back];
  let loaded: readonly PickItem<T>[] = [];
  const setItems = (extra?: PickItem<T>) => {
    qp.items = extra ? [...loaded, extra] : loaded;
    const active = loaded.find((i) => options.active !== undefined && i.value === options.active);
    if (active && !extra) qp.activeItems = [active];
  };
  qp.busy = true;
  const ready = Promise.resolve(items).then(
    (list) => {
      loaded = list;
      qp.busy = false;
      setItems();
    },
    (e) => {
      qp.busy = false;
      qp.placeholder = `Could not list choices: ${e instanceof Error ? e.message : String(e)}. Type a value instead.`;
    },
  );
  return new Promise((resolve) => {
    let open = true;
    const done = (v: StepResult<T>) => {
      if (!open) return;
      open = false;
      resolve(v);
      qp.dispose();
    };
    const typed = (text: string) => {
      if (!options.allowCustom) return;
      const trimmed = text.trim();
      if (!trimmed || loaded.some((i) => i.label === trimmed)) return setItems();
      const problem = options.validate?.(trimmed);
      setItems({ label: trimmed, description: problem ? `$(error) ${problem}` : 'use this value', value: options.allowCustom(trimmed), alwaysShow: true });
    };
    /** Enter on `chosen`: its value, unless a typed value is refused (then the problem, and the pick stays). */
    const accept = (chosen: PickItem<T> | undefined): string | undefined => {
      if (!chosen || chosen.kind === vscode.QuickPickItemKind.Separator) return 'nothing is selected';
      const problem = options.validate && options.allowCustom && !loaded.includes(chosen) ? options.validate(chosen.label) : undefined;
      if (problem) return problem;
      done(chosen.value);
      return undefined;
    };
    qp.onDidChangeValue(typed);
    qp.onDidAccept(() => accept(qp.selectedItems[0] ?? qp.activeItems[0]));
    qp.onDidTriggerButton(() => done(BACK));
    qp.onDidHide(() => done(undefined));
    qp.show();
    const probe = inputProbe();
    if (!probe) return;
    const choices = () => qp.items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
    const find = (label: string) => choices().find((i) => i.label === label || withoutIcons(i.label) === label);
    void ready.then(() =>
      probe.announce({
        kind: 'pick',
        title: info.title,
        step: info.step,
        prompt: qp.placeholder,
        labels: () => choices().map((i) => i.label),
        items: () => choices().map(({ label, description, detail }) => ({ label, description, detail })),
        get value() {
          return qp.value;
        },
        get open() {
          return open;
        },
        accept: (choice) => {
          let item = choice === undefined ? (qp.activeItems[0] ?? choices()[0]) : find(choice);
          if (!item && choice !== undefined && options.allowCustom) {
            qp.value = choice; // what the user would have typed, shown as they would see it
            typed(choice);
            item = find(choice.trim());
          }
          if (!item) throw new Error(`"${info.title}" has no item "${choice}"; it has: ${choices().map((i) => `"${i.label}"`).join(', ') || 'none'}.`);
          const problem = accept(item);
          if (problem) throw new Error(`"${info.title}" refused "${item.label}": ${problem}`);
        },
        back: () => done(BACK),
        cancel: () => qp.hide(),
      }),
    );
  });
}

/** "$(globe) Use the global chain" → "Use the global chain". */
const withoutIcons = (label: string) => label.replace(/\$\([\w-]+(?:~[\w-]+)?\)\s*/g, '').trim();

/** One text step, validated as the user types. */
export function inputStep(
  info: StepInfo,
  options: { prompt: string; value?: string; placeholder?: string; validate?: (text: string) => string | undefined },
): Promise<StepResult<string>> {
  const box = vscode.window.createInputBox();
  Object.assign(box, { title: info.title, step: info.step, totalSteps: info.totalSteps, prompt: options.prompt, value: options.value ?? '', placeholder: options.placeholder, ignoreFocusOut: true });
  if (info.step && info.step > 1) box.buttons = [vscode.QuickInputButtons.Back];
  const check = () => {
    const problem = options.validate?.(box.value);
    box.validationMessage = problem ? { message: problem, severity: vscode.InputBoxValidationSeverity.Error } : undefined;
    return problem;
  };
  if (box.value) check();
  return new Promise((resolve) => {
    let open = true;
    const done = (v: StepResult<string>) => {
      if (!open) return;
      open = false;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue(check);
    box.onDidAccept(() => {
      if (!check()) done(box.value);
    });
    box.onDidTriggerButton(() => done(BACK));
    box.onDidHide(() => done(undefined));
    box.show();
    inputProbe()?.announce({
      kind: 'text',
      title: info.title,
      step: info.step,
      prompt: options.prompt,
      labels: () => [],
      items: () => [],
      get value() {
        return box.value;
      },
      get open() {
        return open;
      },
      accept: (choice) => {
        if (choice !== undefined) box.value = choice;
        const problem = check();
        if (problem) throw new Error(`"${info.title}" refused "${box.value}": ${problem}`);
        done(box.value);
      },
      back: () => done(BACK),
      cancel: () => box.hide(),
    });
  });
}

/** A wizard step fills in state and says where to go: on, back, or (undefined) cancel. */
export type Step<S> = (state: S, info: { step: number; totalSteps: number }) => Promise<'next' | typeof BACK | undefined>;

/** Runs steps in order; Back returns to the previous step. Resolves undefined when the user cancels. */
export async function runSteps<S>(state: S, steps: ReadonlyArray<Step<S>>): Promise<S | undefined> {
  let i = 0;
  while (i < steps.length) {
    const r = await steps[i](state, { step: i + 1, totalSteps: steps.length });
    if (r === undefined) return undefined;
    i = r === BACK ? Math.max(0, i - 1) : i + 1;
  }
  return state;
}

/** Stores a step's value in state and turns it into a wizard move. */
export function into<S, T>(state: S, set: (state: S, value: T) => void, result: StepResult<T>): 'next' | typeof BACK | undefined {
  if (result === undefined) return undefined;
  if (result === BACK) return BACK;
  set(state, result);
  return 'next';
}
