import type * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { redact } from '../core/redact';

/** The core's Logger on top of a LogOutputChannel, with secrets redacted. */
export function channelLogger(channel: vscode.LogOutputChannel, secrets: () => Iterable<string>): Logger {
  return {
    info: (m) => channel.info(redact(m, secrets())),
    warn: (m) => channel.warn(redact(m, secrets())),
    error: (m) => channel.error(redact(m, secrets())),
  };
}
