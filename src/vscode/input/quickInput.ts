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
  options: { placeholder?: string; allowCustom?: (text: string) => T; validate?: (text: string) => string | undefined; active?: T } & Matching = {},
): Promise<StepResult<T>> {
  const qp = vscode.window.createQuickPick<PickItem<T>>();
  const { ignoreFocusOut = true, matchOnDescription = true, matchOnDetail = false } = options;
  Object.assign(qp, { title: info.title, step: info.step, totalSteps: info.totalSteps, placeholder: options.placeholder, ignoreFocusOut, matchOnDescription, matchOnDetail });
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
        canPickMany: false,
        password: false,
        labels: () => choices().map((i) => i.label),
        selected: () => qp.activeItems.map((i) => i.label),
        items: () => choices().map(({ label, description, detail }) => ({ label, description, detail })),
        get value() {
          return qp.value;
        },
        get open() {
          return open;
        },
        accept: (answer) => {
          if (Array.isArray(answer)) throw new Error(`"${info.title}" takes one item, not ${answer.length}.`);
          const choice = answer as string | undefined;
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

/** How a pick filters and whether it stays open when the focus leaves it (the wizard steps: yes, and descriptions). */
interface Matching {
  ignoreFocusOut?: boolean;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
}

interface TextOptions {
  prompt?: string;
  value?: string;
  placeholder?: string;
  validate?: (text: string) => string | undefined;
  /** Hides what is typed; the probe then reports no value either, so no test output can show a secret. */
  password?: boolean;
  ignoreFocusOut?: boolean;
}

/** One text step, validated as the user types. */
export function inputStep(info: StepInfo, options: TextOptions): Promise<StepResult<string>> {
  const box = vscode.window.createInputBox();
  const { password = false, ignoreFocusOut = true } = options;
  Object.assign(box, { title: info.title, step: info.step, totalSteps: info.totalSteps, prompt: options.prompt, value: options.value ?? '', placeholder: options.placeholder, password, ignoreFocusOut });
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
      canPickMany: false,
      password,
      labels: () => [],
      selected: () => [],
      items: () => [],
      get value() {
        return password ? undefined : box.value;
      },
      get open() {
        return open;
      },
      accept: (choice) => {
        if (Array.isArray(choice)) throw new Error(`"${info.title}" is an input box: answer it with one text.`);
        if (choice !== undefined) box.value = choice as string;
        const problem = check();
        if (problem) throw new Error(`"${info.title}" refused ${password ? 'the typed secret' : `"${box.value}"`}: ${problem}`);
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

/**
 * The single-step inputs commands ask, as showQuickPick and showInputBox behave (same defaults: the focus leaving
 * closes them, filtering on labels only, unless asked), but made here so tests can answer them (inputProbe.ts).
 */
export interface PickOptions extends Matching {
  title: string;
  placeholder?: string;
}

/** As showQuickPick: the item taken, or undefined on Escape. Enter with nothing active does nothing. */
export async function pickOne<I extends vscode.QuickPickItem>(items: readonly I[], options: PickOptions): Promise<I | undefined> {
  const { title, placeholder, ignoreFocusOut = false, matchOnDescription = false, matchOnDetail = false } = options;
  const picked = await pickStep({ title }, items.map((item) => ({ ...item, value: item })), { placeholder, ignoreFocusOut, matchOnDescription, matchOnDetail });
  return picked === BACK ? undefined : picked;
}

/**
 * As showQuickPick with canPickMany: the items checked when Enter is pressed (possibly none), or undefined on Escape.
 * Items with `picked` start checked, as showQuickPick does.
 */
export function pickMany<I extends vscode.QuickPickItem>(items: readonly I[], options: PickOptions): Promise<I[] | undefined> {
  const qp = vscode.window.createQuickPick<I>();
  const { ignoreFocusOut = false, matchOnDescription = false, matchOnDetail = false } = options;
  Object.assign(qp, { title: options.title, placeholder: options.placeholder, canSelectMany: true, ignoreFocusOut, matchOnDescription, matchOnDetail, items });
  qp.selectedItems = items.filter((i) => i.picked);
  return new Promise((resolve) => {
    let open = true;
    const done = (v: I[] | undefined) => {
      if (!open) return;
      open = false;
      resolve(v);
      qp.dispose();
    };
    qp.onDidAccept(() => done([...qp.selectedItems]));
    qp.onDidHide(() => done(undefined));
    qp.show();
    const choices = () => qp.items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
    inputProbe()?.announce({
      kind: 'pick',
      title: options.title,
      step: undefined,
      prompt: options.placeholder,
      canPickMany: true,
      password: false,
      labels: () => choices().map((i) => i.label),
      selected: () => qp.selectedItems.map((i) => i.label),
      items: () => choices().map(({ label, description, detail }) => ({ label, description, detail })),
      get value() {
        return qp.value;
      },
      get open() {
        return open;
      },
      accept: (choice) => {
        if (choice !== undefined) {
          const wanted = typeof choice === 'string' ? [choice] : choice;
          const find = (label: string) => choices().find((i) => i.label === label || withoutIcons(i.label) === label);
          const missing = wanted.filter((l) => !find(l));
          if (missing.length > 0) throw new Error(`"${options.title}" has no item ${missing.map((l) => `"${l}"`).join(', ')}; it has: ${choices().map((i) => `"${i.label}"`).join(', ') || 'none'}.`);
          qp.selectedItems = wanted.map((l) => find(l)!);
        }
        done([...qp.selectedItems]);
      },
      back: () => {
        throw new Error(`"${options.title}" has no Back button.`);
      },
      cancel: () => qp.hide(),
    });
  });
}

/** As showInputBox: the text on Enter (once `validate` accepts it), or undefined on Escape. */
export async function askText(options: TextOptions & { title: string }): Promise<string | undefined> {
  const text = await inputStep({ title: options.title }, { ...options, ignoreFocusOut: options.ignoreFocusOut ?? false });
  return text === BACK ? undefined : text;
}
