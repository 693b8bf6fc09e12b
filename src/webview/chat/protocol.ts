/**
 * The chat webview's protocol: the one file both sides import. Host → webview messages are `did…` notifications;
 * webview → host messages are commands, any of which the page may send as a request (see ../shared/messaging.ts)
 * to get a `didReply`. Anything that does not parse as a command is ignored (and logged) by the host. Plain types
 * only: no DOM and no `vscode`.
 */
import { isWebUrl } from '../shared/links';
import type { DidReply } from '../shared/messaging';

/** Commands the webview may ask the host to run from an error's "next step" button. Nothing else runs. */
export const ALLOWED_ACTIONS = ['llmFleet.setApiKey', 'llmFleet.showLog', 'llmFleet.spawn', 'llmFleet.setBudget'] as const;
export type AllowedAction = (typeof ALLOWED_ACTIONS)[number];

export interface TokensView {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface ErrorView {
  readonly kind: string;
  readonly message: string;
  readonly hint?: string;
  readonly action?: { readonly title: string; readonly command: AllowedAction };
  /** Offered after a budget refusal: resend the question before this answer once, past the caps. */
  readonly sendAnyway?: { readonly title: string };
}

export interface MessageView {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly at: number;
  /** For answers: how they ended, or `streaming` while they arrive. */
  readonly status?: 'complete' | 'cancelled' | 'error' | 'streaming';
  readonly model?: string;
  readonly tokens?: TokensView;
  /** Formatted: "$0.0012", "unpriced", "$0 (local)". */
  readonly cost?: string;
  /** The backend's own figure, when it reports one (Claude Code). */
  readonly reportedCost?: string;
  /** Our figure and the backend's differ by more than a cent or 1% (the ledger's rule): worth a look. */
  readonly costMismatch?: boolean;
  readonly latencyMs?: number;
  readonly firstTokenMs?: number;
  readonly error?: ErrorView;
  /** Copied from the parent by a fork (its cost is the parent's). */
  readonly inherited?: boolean;
  /** Compression always keeps it verbatim. */
  readonly pinned?: boolean;
  /** Left out of what is sent by this compression (still here, shown folded under its marker). */
  readonly compressedBy?: string;
  /** On the last message a compression dropped: what it did. */
  readonly compression?: CompressionView;
  /** "answered by fallback: Ollama · qwen2.5:7b (Anthropic API · claude-haiku-4-5: overloaded)". */
  readonly fallback?: string;
}

/** A compression as the chat shows it: "compressed: N earlier messages", the summary, and why. */
export interface CompressionView {
  readonly id: string;
  readonly mode: 'summary' | 'window';
  readonly summary?: string;
  readonly dropped: number;
  readonly summarizer?: string;
  readonly note?: string;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
}

export interface InstanceView {
  readonly name: string;
  readonly backendLabel: string;
  readonly model: string;
  readonly status: 'idle' | 'busy' | 'error' | 'stopped';
  readonly role: string;
  /** Spawned with model `auto`: the router picks every ask's model, so "Send with Auto Model" has nothing to add. */
  readonly routed?: boolean;
  readonly totals: TokensView & { readonly cost: string };
  /** Asks waiting for the current one to finish. */
  readonly queued: ReadonlyArray<{ readonly askId: string; readonly text: string }>;
}

export type HostMessage =
  | { readonly type: 'didLoad'; readonly instance: InstanceView; readonly messages: readonly MessageView[]; readonly streaming?: { readonly askId: string; readonly text: string } }
  | { readonly type: 'didChangeInstance'; readonly instance: InstanceView }
  | { readonly type: 'didStartTurn'; readonly askId: string; readonly message: MessageView }
  | { readonly type: 'didStream'; readonly askId: string; readonly text: string }
  | { readonly type: 'didCompleteTurn'; readonly askId: string; readonly message: MessageView }
  /**
   * A command that was not a request failed. `askId` names the ask it was about (a Stop that found nothing to stop),
   * so the page shows the failure on that answer or queued item rather than at the bottom of the chat.
   */
  | { readonly type: 'didFail'; readonly message: string; readonly askId?: string }
  | { readonly type: 'didEnd'; readonly reason: string }
  /** A stage explained itself during a turn: a budget warning, a router's choice. */
  | { readonly type: 'didNote'; readonly askId: string; readonly text: string }
  /** Something outside the chat (the usage dashboard) points at one message: scroll it into view and highlight it. */
  | { readonly type: 'didRevealMessage'; readonly messageId: string }
  | DidReply;

export type WebviewMessage =
  | { readonly type: 'ready' }
  /** `model: 'auto'` ("Send with Auto Model"): the router picks this one ask's backend and model (see AskOptions.model). */
  | { readonly type: 'send'; readonly text: string; readonly model?: 'auto' }
  /** Stops the ask the page shows (streaming or queued), by its id: never whichever ask happens to run by then. */
  | { readonly type: 'stop'; readonly askId: string }
  | { readonly type: 'forkFrom'; readonly messageId: string }
  | { readonly type: 'copy'; readonly text: string }
  | { readonly type: 'insert'; readonly text: string }
  | { readonly type: 'runAction'; readonly command: AllowedAction }
  /** "Send anyway, once" on the answer `messageId` (a budget refusal): its question goes again, past the caps. */
  | { readonly type: 'sendAnyway'; readonly messageId: string }
  /** Pin (compression always keeps it) or unpin a message. */
  | { readonly type: 'pin'; readonly messageId: string; readonly pinned: boolean }
  /** A link in model output was clicked: only absolute http(s) URLs parse (see ../shared/links.ts). */
  | { readonly type: 'openLink'; readonly href: string };

/** State the webview keeps across reloads (`vscode.setState`). */
export interface ChatWebviewState {
  readonly name: string;
  readonly scrollTop?: number;
  readonly draft?: string;
}

const MAX_TEXT = 1_000_000;
/** Ask ids are UUIDs; a bound keeps a bogus one out of logs and error texts. */
const MAX_ID = 200;

/** Checks a message from the webview: its type and the shape of its fields. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const text = (k: string) => typeof m[k] === 'string' && (m[k] as string).length <= MAX_TEXT;
  const id = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0 && (m[k] as string).length <= MAX_ID;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'stop':
      return id('askId') ? { type: 'stop', askId: m.askId as string } : undefined;
    case 'send':
      if (m.model !== undefined && m.model !== 'auto') return undefined;
      return text('text') ? { type: 'send', text: m.text as string, ...(m.model === 'auto' ? { model: 'auto' as const } : {}) } : undefined;
    case 'copy':
    case 'insert':
      return text('text') ? { type: m.type, text: m.text as string } : undefined;
    case 'sendAnyway':
      return id('messageId') ? { type: 'sendAnyway', messageId: m.messageId as string } : undefined;
    case 'pin':
      return id('messageId') && typeof m.pinned === 'boolean' ? { type: 'pin', messageId: m.messageId as string, pinned: m.pinned } : undefined;
    case 'forkFrom':
      return text('messageId') ? { type: 'forkFrom', messageId: m.messageId as string } : undefined;
    case 'runAction':
      return (ALLOWED_ACTIONS as readonly unknown[]).includes(m.command) ? { type: 'runAction', command: m.command as AllowedAction } : undefined;
    case 'openLink':
      return text('href') && isWebUrl(m.href as string) ? { type: 'openLink', href: m.href as string } : undefined;
    default:
      return undefined;
  }
}
