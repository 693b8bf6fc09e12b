/**
 * The testing hook of the quick inputs that quickInput.ts shows. The workbench's quick input lives in the renderer,
 * out of an extension's reach: a test that drives it through quick-open commands races the items' loading and the
 * extension host's batched updates, and ends up with sleeps. Instead, under tests (ExtensionMode.Test, see
 * extension.ts and testing.ts) every quick pick and input box made by quickInput.ts is announced here once it shows
 * its items, and a test answers it through the same handlers the user's Enter, Back and Escape reach. Outside tests
 * nothing is attached and nothing is announced.
 */
import type * as vscode from 'vscode';

/** A quick pick or input box on screen, as a test sees and answers it. */
export interface ShownInput {
  readonly kind: 'pick' | 'text';
  readonly title: string | undefined;
  readonly step: number | undefined;
  /** The pick's placeholder, or the input box's prompt. */
  readonly prompt: string | undefined;
  /** A pick where several items can be checked (showQuickPick's canPickMany). */
  readonly canPickMany: boolean;
  /** An input box that hides what is typed: its `value` is then never reported. */
  readonly password: boolean;
  /** The labels the user sees now, separators left out (a pick's; an input box has none). */
  labels(): string[];
  /** The labels checked now (a multi-pick's), or the active one (a pick's). */
  selected(): string[];
  /** The same items with what else the user reads on them. */
  items(): Array<{ label: string; description?: string; detail?: string }>;
  /** The text in the box; undefined in a password box, so no test output can hold a typed secret. */
  readonly value: string | undefined;
  /** Whether it still waits for an answer. */
  readonly open: boolean;
  /**
   * As Enter: a pick accepts the item whose label is `choice` exactly (or, where the pick takes typed values, the
   * typed `choice`); a multi-pick checks exactly the items labelled `choice` (one label or several), or keeps what is
   * checked; an input box takes `choice` as its text, or its current text. Validation applies as for a user: a refused
   * answer leaves it open and throws, naming what was wrong (or which labels there were; never a password's text).
   */
  accept(choice?: string | readonly string[]): void;
  /** As the Back button (only on a wizard's later steps). */
  back(): void;
  /** As Escape. */
  cancel(): void;
}

/** Where quickInput.ts announces what it shows; tests take the announcements in order with `next()`. */
export class InputProbe implements vscode.Disposable {
  private readonly shown: ShownInput[] = [];
  private readonly waiting: Array<(s: ShownInput) => void> = [];
  private disposed = false;

  /** @internal quickInput.ts calls this when an input is ready for an answer. */
  announce(input: ShownInput): void {
    if (this.disposed) return;
    const w = this.waiting.shift();
    if (w) return w(input);
    // Nobody asked (the test drives something else): keep it, and forget the ones closed since.
    for (let i = this.shown.length - 1; i >= 0; i--) if (!this.shown[i].open) this.shown.splice(i, 1);
    this.shown.push(input);
  }

  /**
   * The oldest input shown and not yet taken, or the next one to show. With `title`, checks that it is the expected
   * one (its title contains it), so a test that lost its step fails saying so instead of answering the wrong input.
   */
  async next(title?: string): Promise<ShownInput> {
    // Inputs another test left and that closed since are not answerable: skip them.
    while (this.shown.length > 0 && !this.shown[0].open) this.shown.shift();
    const input = this.shown.shift() ?? (await new Promise<ShownInput>((resolve) => this.waiting.push(resolve)));
    if (title !== undefined && !(input.title ?? '').includes(title)) {
      throw new Error(`Expected an input titled "${title}", but "${input.title}" (${input.prompt ?? 'no prompt'}) was shown.`);
    }
    return input;
  }

  /** Inputs shown, still open and not yet taken (a test checks none is left over). */
  get pending(): number {
    return this.shown.filter((s) => s.open).length;
  }

  dispose(): void {
    this.disposed = true;
    this.shown.length = 0;
  }
}

let probe: InputProbe | undefined;

/**
 * Attaches the probe that quickInput.ts announces to. A module slot rather than a constructor argument: the quick
 * inputs are free functions called from every command, and only the test build's composition root sets it.
 */
export function attachInputProbe(p: InputProbe): vscode.Disposable {
  probe = p;
  return {
    dispose: () => {
      if (probe === p) probe = undefined;
      p.dispose();
    },
  };
}

/** @internal The attached probe, if the extension runs under tests. */
export function inputProbe(): InputProbe | undefined {
  return probe;
}
