// Types for codeServer.mjs, for the TypeScript tests that import it.
import type { Provisioned } from './provision.mjs';

export declare const QUIET_SETTINGS: Record<string, unknown>;
export interface ServerDirs {
  root: string;
  temporary: boolean;
  userDataDir: string;
  extensionsDir: string;
  xdg: { config: string; data: string; cache: string };
  config: string;
  log: string;
}
export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  dirs: ServerDirs;
  folderUrl(folder: string, payload?: [string, string][]): string;
  remoteUri(path: string): string;
  stop(): Promise<void>;
}
export declare function freePort(): Promise<number>;
export declare function serverDirs(stateDir?: string): ServerDirs;
export declare function isolatedEnv(dirs: ServerDirs, extra?: Record<string, string>): NodeJS.ProcessEnv;
export declare function installExtension(provisioned: Provisioned, dirs: ServerDirs, vsix: string): void;
export declare function markedPids(id: string): number[];
export declare function startCodeServer(
  provisioned: Provisioned,
  opts?: { dirs?: ServerDirs; smokeTestDriver?: boolean; port?: number; settings?: Record<string, unknown>; machineSettings?: Record<string, unknown>; env?: Record<string, string>; echo?: boolean; password?: string; workspaceTrust?: boolean },
): Promise<CodeServer>;
