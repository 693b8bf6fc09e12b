// Drives the packaged extension in a real VS Code workbench (code-server) from headless Debian chromium.
// One workbench per test file: open it in `before`, close it in `after`. The server runs WITHOUT the smoke-test
// driver, which would hide notification toasts and dialogs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/browser.mjs';
import { installExtension, serverDirs, startCodeServer, type CodeServer } from '../../scripts/codeServer.mjs';
import { cleanNpmEnv } from '../../scripts/npmEnv.mjs';
import { provision } from '../../scripts/provision.mjs';

export const root = join(__dirname, '../..');
export const SCREENSHOTS = join(root, 'test-results/screenshots');

/** A workbench with the packaged extension installed and a scratch folder open. */
export interface Workbench {
  page: Page;
  context: BrowserContext;
  server: CodeServer;
  /** The open folder: a temp dir holding the `files` given to openWorkbench. */
  workspace: string;
  close(): Promise<void>;
}

/**
 * The packaged .vsix: `$LLM_FLEET_VSIX` when the test script packaged it once for every file, else packaged here
 * (production build + vsce, ~3 s).
 */
export function packagedVsix(): string {
  if (process.env.LLM_FLEET_VSIX) return process.env.LLM_FLEET_VSIX;
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: cleanNpmEnv() });
  if (r.status !== 0) throw new Error('npm run package failed; the e2e tests need dist/llm-fleet.vsix');
  return join(root, 'dist/llm-fleet.vsix');
}

export interface WorkbenchOptions {
  /** Files to create in the scratch folder, by relative path. */
  files?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Machine-scoped settings (e.g. `llmFleet.claudeCode.path`), which a remote workbench reads only from here. */
  machineSettings?: Record<string, unknown>;
  /** Extra environment for code-server, and so for the extension host and its children. */
  env?: Record<string, string>;
}

export async function openWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  const provisioned = await provision({ browser: true });
  const dirs = serverDirs();
  installExtension(provisioned, dirs, packagedVsix());
  const server = await startCodeServer(provisioned, { dirs, settings: opts.settings ?? {}, machineSettings: opts.machineSettings, env: opts.env });
  const workspace = mkdtempSync(join(tmpdir(), 'llm-fleet-e2e-ws-'));
  for (const [rel, text] of Object.entries(opts.files ?? { 'notes.md': '# Scratch\n\nSome text to select.\n' })) {
    mkdirSync(dirname(join(workspace, rel)), { recursive: true });
    writeFileSync(join(workspace, rel), text);
  }
  let context: BrowserContext | undefined;
  const close = async () => {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    await context?.close().catch(() => {});
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  // node:test sends SIGTERM to a file that runs past its timeout; leave no server or browser behind.
  const onSignal = () => void close().finally(() => process.exit(1));
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  try {
    context = await launchBrowser(provisioned, dirs);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.folderUrl(workspace));
    await waitForWorkbench(page);
    return { page, context, server, workspace, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Waits until the workbench has rendered its parts and connected to the extension host. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  // The explorer shows the folder once the remote file system answers.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  // The extension's contributions are registered once the extension host has scanned it: its activity-bar entry.
  await page.locator('.part.activitybar [aria-label^="LLM Fleet"]').first().waitFor({ timeout: 60_000 });
}

/** Runs a command from the F1 palette by its full title, e.g. "LLM Fleet: Show Log". */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const paletteOpen = async () => (await input.isVisible()) && /command/.test((await input.getAttribute('aria-label')) ?? '');
  const typed = `>${title}`;
  // Open with the title typed. F1 pressed while another quick input is still closing is lost, and a webview that
  // takes the focus late (a chat just opened) closes the palette under us: each round reopens and retypes as needed.
  const typeTitle = async (): Promise<boolean> => {
    if (!(await paletteOpen())) {
      // Keys pressed while a webview has focus go to the webview's document first; give the workbench the focus.
      if (await page.evaluate<boolean>("document.activeElement?.tagName === 'IFRAME'")) {
        await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 } });
      }
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
      if (!(await paletteOpen())) return false;
    }
    if ((await input.inputValue().catch(() => '')) === typed) return true;
    return input.fill(typed, { timeout: 3000 }).then(() => true, () => false);
  };
  // The row whose whole label is the title: not the first match ("LLM Fleet: Usage" also matches "… Usage
  // Dashboard"), nor a row where the title is only a highlighted part of a longer label.
  const labels = page.locator('.quick-input-list .monaco-list-row .label-name');
  await until(`"${title}" run from the command palette`, async () => {
    if (!(await typeTitle())) return false;
    const texts = await labels.allInnerTexts();
    const i = texts.findIndex((t) => t.trim() === title);
    if (i < 0) return false;
    return labels.nth(i).click({ timeout: 3000 }).then(() => true, () => false);
  }, 30_000).catch(async (e: unknown) => {
    const candidates = (await labels.allInnerTexts().catch(() => [])).map((t) => `"${t.trim()}"`).join(', ') || 'none';
    throw new Error(`runCommand: could not run "${title}" from the palette (no row titled exactly that, or the palette kept closing); it offered: ${candidates} (${String(e)})`);
  });
  // Gone, or replaced by the command's own input: either way the next step starts from a settled workbench.
  await until(`the palette to close after "${title}"`, async () => !(await paletteOpen()));
}

/** Opens a view container from the activity bar by its label (the start of its aria-label), unless it is open. */
export async function openSidebar(page: Page, label: string): Promise<void> {
  const item = page.locator(`.part.activitybar .action-item:has([aria-label^="${label}"]), .part.activitybar .action-item[aria-label^="${label}"]`).first();
  await item.waitFor({ timeout: 30_000 });
  // Clicking an open container closes it.
  if ((await item.getAttribute('aria-expanded')) !== 'true' && !(await item.evaluate((el) => el.classList.contains('checked')))) {
    await item.click();
  }
}

/** The text of the Monaco editors under `scope`, with the non-breaking spaces Monaco renders turned back into spaces. */
export async function editorText(scope: Locator): Promise<string> {
  return (await scope.locator('.view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
}

/** Saves a PNG under test-results/screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Polls `fn` until it returns a truthy value; throws with `what` after the timeout. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Saves what the screen showed when a test failed (as `failed-<test>.png`), for whoever reads the CI log. */
export function screenshotFailures(workbench: () => Workbench | undefined): void {
  afterEach(async (t) => {
    const wb = workbench();
    if (wb && !(t as unknown as { passed: boolean }).passed) await screenshot(wb.page, `failed-${t.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });
}
