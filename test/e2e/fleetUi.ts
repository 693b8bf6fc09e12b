// LLM Fleet's own UI, as a user meets it in the workbench: quick input steps, the Instances tree, and the chat and
// broadcast webviews (found by what they show, since several can be open at once).
import type { Frame, Locator, Page } from 'playwright-core';
import { openSidebar, runCommand, until } from './harness';

const QUICK_INPUT = '.quick-input-widget';

/** The title of the quick input now showing, e.g. "LLM Fleet: Spawn Instance (2/6)". */
export async function quickInputTitle(page: Page): Promise<string> {
  const widget = page.locator(QUICK_INPUT);
  if (!(await widget.isVisible())) return '';
  return (await widget.locator('.quick-input-title').innerText()).trim();
}

/** The labels of the items a quick pick lists now. */
export async function quickPickItems(page: Page): Promise<string[]> {
  return page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

/**
 * Answers one step of a multi-step input: waits for the step whose title contains `step`, types `value` (or keeps
 * what is there), and presses Enter.
 */
export async function answerStep(page: Page, step: string, value?: string): Promise<void> {
  await until(`the quick input step "${step}"`, async () => (await quickInputTitle(page)).includes(step));
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  if (value !== undefined) await input.fill(value);
  // A quick pick filters as you type; wait until the list has caught up, so Enter takes the typed item.
  if (value !== undefined && (await page.locator(`${QUICK_INPUT} .quick-input-list`).isVisible())) {
    await until(`"${value}" in the list`, async () => (await quickPickItems(page)).some((l) => l.toLowerCase().includes(value.toLowerCase())));
  }
  await input.press('Enter');
}

/** Spawn Instance… from the palette, through all six steps (the fallback chain kept at its default, the global one). */
export async function spawnFromPalette(page: Page, spec: { backend: string; model: string; name: string }): Promise<void> {
  await runCommand(page, 'LLM Fleet: Spawn Instance…');
  await answerStep(page, 'Spawn Instance (1/6)', spec.backend);
  await answerStep(page, 'Spawn Instance (2/6)', spec.model);
  await answerStep(page, 'Spawn Instance (3/6)');
  await answerStep(page, 'Spawn Instance (4/6)', spec.name);
  await answerStep(page, 'Spawn Instance (5/6)');
  await answerStep(page, 'Spawn Instance (6/6)');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
}

const TREE = '[id="workbench.view.extension.llmFleet"]';

export interface TreeRow {
  readonly name: string;
  readonly description: string;
  readonly level: number;
}

/** The Instances tree as shown: name, `model · status · $cost`, and depth (1 for roots). */
export async function treeRows(page: Page): Promise<TreeRow[]> {
  await openSidebar(page, 'LLM Fleet');
  return page.locator(`${TREE} .monaco-list-row`).evaluateAll((els) =>
    els.map((el) => ({
      name: el.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
      level: Number(el.getAttribute('aria-level') ?? 0),
    })),
  );
}

export function treeRow(page: Page, name: string): Locator {
  return page.locator(`${TREE} .monaco-list-row[aria-label^="${name}, "]`);
}

/** The text of the Instances view, welcome content included. */
export async function instancesViewText(page: Page): Promise<string> {
  await openSidebar(page, 'LLM Fleet');
  return page.locator(TREE).innerText();
}

/** Right-clicks a tree row and runs an entry of its context menu. */
export async function treeContextMenu(page: Page, name: string, entry: string): Promise<void> {
  await treeRow(page, name).click({ button: 'right' });
  await menuEntry(page, entry);
}

/**
 * Runs an entry of the open context menu. The workbench ignores a click that lands right after the menu opened
 * (so a right-click's mouseup cannot pick an item), so hover first and give it a moment.
 */
export async function menuEntry(page: Page, entry: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item').filter({ hasText: entry }).first();
  await item.hover();
  await page.waitForTimeout(300);
  await item.click();
  await page.locator('.monaco-menu').waitFor({ state: 'hidden' });
}

/** The webview document (the extension's own, inside code-server's two iframes) for which `probe` holds. */
export async function webviewWhere(page: Page, what: string, probe: string): Promise<Frame> {
  return until(
    what,
    async () => {
      for (const frame of page.frames()) {
        if (frame.name() !== 'active-frame' && !frame.url().includes('fake.html')) continue;
        if (await frame.evaluate(probe).catch(() => false)) return frame;
      }
      return undefined;
    },
    30_000,
  );
}

/** The chat webview of one instance. */
export function chatFrame(page: Page, name: string): Promise<Frame> {
  return webviewWhere(page, `the chat of ${name}`, `document.querySelector('.chat-header .name')?.textContent === ${JSON.stringify(name)}`);
}

/**
 * Types a prompt into a chat and sends it with Enter, as a user does. A chat that was just shown again reloads its
 * page (webviews are not kept while hidden), and an Enter that lands while it does is lost, with the draft restored
 * in the box; a user would press Enter again, and so does this, until the box is empty.
 */
export async function sendPrompt(chat: Frame, text: string): Promise<void> {
  const box = chat.locator('textarea.prompt');
  await box.fill(text);
  for (let attempt = 1; ; attempt++) {
    await box.press('Enter');
    const sent = await until('the prompt to leave the box', async () => (await box.inputValue()) === '', 5000).then(() => true, () => false);
    if (sent) return;
    if (attempt === 3) throw new Error(`the chat did not take the prompt after 3 tries; the box still holds: ${await box.inputValue()}`);
  }
}
