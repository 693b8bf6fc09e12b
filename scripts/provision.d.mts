// Types for provision.mjs, for the TypeScript tests that import it.
export declare const NODE_VERSION: string;
export declare const CODE_SERVER_VERSION: string;
export declare const CHROMIUM: string;
export interface Provisioned {
  /** Node 24's binary, which code-server runs under. */
  node: string;
  nodeDir: string;
  /** code-server's entry script (run it with `node`). */
  codeServerEntry: string;
  /** Debian's chromium, when a browser was asked for. */
  chromium: string | undefined;
  cache: string;
}
export declare class ProvisionError extends Error {}
export declare function cacheDir(): string;
export declare function provision(opts?: { browser?: boolean }): Promise<Provisioned>;
/** Takes an exclusive lock file (waiting for a live owner, taking over a dead one's); returns its release. */
export declare function lock(file: string): Promise<() => void>;
