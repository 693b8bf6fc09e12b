/** Minimal logging port; the host passes its LogOutputChannel, the core and its backends write to it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
