// Headless Debian chromium driven by playwright-core (no browser download: the registry's Chrome for Testing
// cannot be fetched offline). Shared by the integration shim and the e2e harness.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { isolatedEnv } from './codeServer.mjs';

const FLAGS = [
  '--no-sandbox', // root in a container: the setuid sandbox is unavailable
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A persistent context with its profile and XDG dirs under the server's dirs, so chromium writes nothing in $HOME
 * and the server's stop() sweep also catches a browser that outlived close().
 * @param {{ chromium: string }} provisioned
 * @param {ReturnType<import('./codeServer.mjs').serverDirs>} dirs
 */
export async function launchBrowser(provisioned, dirs, { width = 1400, height = 900 } = {}) {
  const profile = join(dirs.root, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: provisioned.chromium,
    args: FLAGS,
    env: isolatedEnv(dirs),
    viewport: { width, height },
    // The workbench uses the clipboard for Copy buttons; without the grant the page would prompt.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
}
