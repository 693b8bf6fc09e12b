// `npm start` as a user runs it: from a shell, on a free port, with whatever cache the machine has (a cold one in
// CI). It must print a URL and a password that open the workbench with the LLM Fleet sidebar, stop on Ctrl+C with
// no code-server or extension host left, and keep instances across a restart on a different port (code-server keys
// workspace storage by host:port, so state that lived there would be lost).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/browser.mjs';
import { freePort, markedPids, serverDirs } from '../../scripts/codeServer.mjs';
import { cleanNpmEnv } from '../../scripts/npmEnv.mjs';
import { provision } from '../../scripts/provision.mjs';
import { spawnFromPalette, treeRows } from '../e2e/fleetUi';
import { openSidebar, screenshot, until } from '../e2e/harness';

const root = join(__dirname, '../..');

interface Started {
  child: ChildProcess;
  url: string;
  password: string;
  output: () => string;
}

/** `npm start` in its own process group (as a terminal runs it), resolved once it prints the URL and password. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const { NODE_TEST_CONTEXT, ...base } = cleanNpmEnv();
  const started = Date.now();
  const child = spawn('npm', ['start'], { cwd: root, env: { ...base, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing a URL:\n${out}`))));
  // A cold start provisions Node 24 and code-server first (~3 min).
  const found = until('npm start to print its URL and password', async () => {
    const url = /^ {2}Open: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(out)?.[1];
    const password = /^ {2}Password: (\S+)/m.exec(out)?.[1];
    return url && password ? { url, password } : undefined;
  }, 12 * 60_000);
  const { url, password } = await Promise.race([found, exited]);
  // The README promises ~2 minutes cold and seconds warm; the log says which this was.
  console.log(`npm start printed its URL after ${((Date.now() - started) / 1000).toFixed(1)} s (${/provisioning into/.test(out) ? 'cold: it provisioned' : 'warm cache'})`);
  return { child, url, password, output: () => out };
}

/** Ctrl+C in the terminal: SIGINT to the whole foreground group, then wait for npm to exit. */
async function interrupt(started: Started): Promise<string> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return `exited earlier (${child.exitCode ?? child.signalCode})`;
  const done = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ?? String(code))));
  process.kill(-child.pid!, 'SIGINT');
  return done;
}

/** Processes that carry the server's marker, or name the profile on their command line (an extension host does). */
function leftovers(profile: string): string[] {
  const byCmdline: number[] = [];
  for (const pid of readdirPids()) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(profile)) byCmdline.push(pid);
    } catch {}
  }
  return [...new Set([...markedPids(profile), ...byCmdline])].map((pid) => {
    try {
      return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim()}`;
    } catch {
      return `${pid}`;
    }
  });
}

function readdirPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((p) => p !== process.pid);
}

/** Logs in with the printed password and waits for the workbench with the extension's activity-bar entry. */
async function logIn(page: Page, started: Started): Promise<void> {
  await page.goto(started.url);
  const field = page.locator('input[type="password"]');
  await field.waitFor({ timeout: 30_000 });
  await field.fill(started.password);
  await field.press('Enter');
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  // Workspace trust stays on under npm start: a user trusts the scratch folder they opened.
  const trust = page.getByRole('button', { name: /Yes, I trust the authors/ });
  await trust.click({ timeout: 20_000 }).catch(() => undefined);
  await page.locator('.part.activitybar [aria-label^="LLM Fleet"]').first().waitFor({ timeout: 60_000 });
}

describe('npm start', () => {
  const profile = mkdtempSync(join(tmpdir(), 'llm-fleet-start-profile-'));
  const folder = mkdtempSync(join(tmpdir(), 'llm-fleet-start-folder-'));
  writeFileSync(join(folder, 'notes.md'), '# Notes\n');
  const browserDirs = serverDirs();
  let context: BrowserContext | undefined;
  let running: Started | undefined;
  let firstPort = 0;

  before(async () => {
    firstPort = await freePort();
  });
  after(async () => {
    await context?.close().catch(() => undefined);
    if (running) await interrupt(running);
    rmSync(profile, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
    rmSync(browserDirs.root, { recursive: true, force: true });
  });

  const env = (port: number) => ({ LLM_FLEET_PORT: String(port), LLM_FLEET_PROFILE: profile, LLM_FLEET_FOLDER: folder });

  it('serves the workbench at the printed URL behind the printed password, with the LLM Fleet sidebar', async () => {
    running = await npmStart(env(firstPort));
    assert.ok(running.url.startsWith(`http://127.0.0.1:${firstPort}/`), running.url);
    // The password is asked for: the URL alone opens only the login page.
    const anonymous = await fetch(running.url, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get('location') ?? '', /login/);

    context = await launchBrowser(await provision({ browser: true }), browserDirs);
    const page = context.pages()[0] ?? (await context.newPage());
    await logIn(page, running);
    await openSidebar(page, 'LLM Fleet');
    await page.locator('[id="workbench.view.extension.llmFleet"]').getByText('No instances yet').waitFor({ timeout: 30_000 });
    await spawnFromPalette(page, { backend: 'Claude Code', model: 'haiku', name: 'keeper' });
    await until('the keeper node', async () => (await treeRows(page)).some((r) => r.name === 'keeper'));
    await screenshot(page, 'start-first-run');
  });

  it('stops on Ctrl+C and leaves no code-server or extension host running', async () => {
    assert.ok(running, 'the first test started npm start');
    await context?.close();
    context = undefined;
    const ended = await interrupt(running);
    const output = running.output();
    running = undefined;
    // npm itself dies of the SIGINT, as in a terminal; the script under it stops the server first.
    assert.ok(['SIGINT', '0', '130'].includes(ended), `npm start ended with ${ended}`);
    assert.match(output, /Stopping…/);
    const left = await until('every process of the server to be gone', async () => (leftovers(profile).length === 0 ? 'none' : undefined), 10_000).catch(() => leftovers(profile).join('\n'));
    assert.equal(left, 'none', `still running after Ctrl+C:\n${left}`);
  });

  it('restarted on a different port, still has the instance spawned before', async () => {
    let secondPort = await freePort();
    while (secondPort === firstPort) secondPort = await freePort();
    running = await npmStart(env(secondPort));
    assert.ok(running.url.startsWith(`http://127.0.0.1:${secondPort}/`), running.url);
    context = await launchBrowser(await provision({ browser: true }), browserDirs);
    const page = context.pages()[0] ?? (await context.newPage());
    await logIn(page, running);
    const row = await until('the keeper node after the restart', async () => (await treeRows(page)).find((r) => r.name === 'keeper'), 60_000);
    assert.match(row.description, /^haiku · /);
    await screenshot(page, 'start-restarted');
    await context.close();
    context = undefined;
    await interrupt(running);
    running = undefined;
    assert.deepEqual(leftovers(profile), []);
  });
});
