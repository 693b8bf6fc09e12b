// Types for browser.mjs, for the TypeScript tests that import it.
import type { BrowserContext } from 'playwright-core';
import type { ServerDirs } from './codeServer.mjs';
import type { Provisioned } from './provision.mjs';

export declare function launchBrowser(provisioned: Provisioned, dirs: ServerDirs, viewport?: { width?: number; height?: number }): Promise<BrowserContext>;
