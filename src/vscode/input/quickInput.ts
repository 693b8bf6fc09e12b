import * as vscode from 'vscode';

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
 * settles. With `allowCustom`, typed text that matches no item is offered as a value, checked by `validate`.
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
  void Promise.resolve(items).then(
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
    const done = (v: StepResult<T>) => {
      resolve(v);
      qp.dispose();
    };
    qp.onDidChangeValue((text) => {
      if (!options.allowCustom) return;
      const trimmed = text.trim();
      if (!trimmed || loaded.some((i) => i.label === trimmed)) return setItems();
      const problem = options.validate?.(trimmed);
      setItems({ label: trimmed, description: problem ? `$(error) ${problem}` : 'use this value', value: options.allowCustom(trimmed), alwaysShow: true });
    });
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!chosen) return;
      if (options.validate && options.allowCustom && !loaded.includes(chosen) && options.validate(chosen.label)) return;
      done(chosen.value);
    });
    qp.onDidTriggerButton(() => done(BACK));
    qp.onDidHide(() => done(undefined));
    qp.show();
  });
}

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
    const done = (v: StepResult<string>) => {
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
