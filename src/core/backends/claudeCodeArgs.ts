/**
 * Per-instance options of a Claude Code instance, checked once at spawn, and the argv and environment of its
 * child process. Kept apart from the process code so the exact command line can be read (and reviewed) in one place.
 */
import { FleetError } from '../errors';
import type { SessionInit } from './backend';
import type { Role } from '../kinds';

/** Permission modes the CLI accepts for `--permission-mode` (2.1.330). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'auto', 'bypassPermissions', 'dontAsk', 'plan', 'manual'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** Who pays: the user's Claude subscription (the CLI's own login) or an API key the host supplies. */
export type ClaudeCodeBilling = 'subscription' | 'apiKey';

/** What `SessionInit.options` may hold for a Claude Code instance. */
export interface ClaudeCodeInstanceOptions {
  readonly permissionMode?: PermissionMode;
  readonly allowedTools?: readonly string[];
  readonly maxTurns?: number;
  /** `--max-budget-usd`: the CLI's own spending stop per process, a backstop behind the budget stage (print mode only, which is how it runs). */
  readonly maxBudgetUsd?: number;
  readonly appendSystemPrompt?: string;
  /** Working directory of the process; the workspace folder by default. */
  readonly cwd?: string;
  /** `--mcp-config`: inline JSON, a file path, or an object (sent as JSON). */
  readonly mcpConfig?: string;
  /** Minimal prompt and no tools. Default: on for the `gateway` role, off otherwise. */
  readonly lean: boolean;
  readonly billing: ClaudeCodeBilling;
}

/** Used as the whole system prompt of a lean instance that was given none. */
export const LEAN_DEFAULT_SYSTEM_PROMPT = 'You are a concise assistant. Answer directly.';

const KNOWN_OPTIONS = new Set(['permissionMode', 'allowedTools', 'maxTurns', 'maxBudgetUsd', 'appendSystemPrompt', 'cwd', 'mcpConfig', 'lean', 'billing']);

/** Reads and checks `SessionInit.options`; a wrong value is a clear error at spawn, not a failed turn later. */
export function parseInstanceOptions(options: Readonly<Record<string, unknown>>, role: Role): ClaudeCodeInstanceOptions {
  const bad = (what: string): never => {
    throw new FleetError('invalid_argument', `Claude Code option ${what}`);
  };
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0) bad(`'${unknown.join("', '")}' is not known. Known options: ${[...KNOWN_OPTIONS].join(', ')}.`);
  const o = options;
  if (o.permissionMode !== undefined && !(PERMISSION_MODES as readonly unknown[]).includes(o.permissionMode)) {
    bad(`permissionMode must be one of ${PERMISSION_MODES.join(', ')}, not ${JSON.stringify(o.permissionMode)}.`);
  }
  let allowedTools: string[] | undefined;
  if (o.allowedTools !== undefined) {
    const list = typeof o.allowedTools === 'string' ? o.allowedTools.split(',').map((s) => s.trim()).filter(Boolean) : o.allowedTools;
    // A tool name that starts with '-' would be read by the CLI as a flag.
    if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' && t.trim() !== '' && !t.startsWith('-'))) {
      bad('allowedTools must be a list of tool names such as ["Bash(git *)", "Edit"].');
    }
    allowedTools = (list as string[]).map((t) => t.trim());
  }
  if (o.maxTurns !== undefined && !(Number.isInteger(o.maxTurns) && (o.maxTurns as number) > 0)) bad(`maxTurns must be a positive whole number, not ${JSON.stringify(o.maxTurns)}.`);
  if (o.maxBudgetUsd !== undefined && !(typeof o.maxBudgetUsd === 'number' && Number.isFinite(o.maxBudgetUsd) && o.maxBudgetUsd > 0)) bad(`maxBudgetUsd must be a dollar amount above 0, not ${JSON.stringify(o.maxBudgetUsd)}.`);
  if (o.appendSystemPrompt !== undefined && typeof o.appendSystemPrompt !== 'string') bad('appendSystemPrompt must be text.');
  if (o.cwd !== undefined && (typeof o.cwd !== 'string' || !o.cwd.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(o.cwd))) bad(`cwd must be an absolute path, not ${JSON.stringify(o.cwd)}.`);
  let mcpConfig: string | undefined;
  if (o.mcpConfig !== undefined) {
    if (typeof o.mcpConfig === 'string' && o.mcpConfig.trim() !== '') mcpConfig = o.mcpConfig;
    else if (typeof o.mcpConfig === 'object' && o.mcpConfig !== null) mcpConfig = JSON.stringify(o.mcpConfig);
    else bad('mcpConfig must be JSON text, a file path, or an object like {"mcpServers":{…}}.');
  }
  if (o.lean !== undefined && typeof o.lean !== 'boolean') bad('lean must be true or false.');
  if (o.billing !== undefined && o.billing !== 'subscription' && o.billing !== 'apiKey') bad(`billing must be 'subscription' or 'apiKey', not ${JSON.stringify(o.billing)}.`);
  return {
    permissionMode: o.permissionMode as PermissionMode | undefined,
    allowedTools,
    maxTurns: o.maxTurns as number | undefined,
    maxBudgetUsd: o.maxBudgetUsd as number | undefined,
    appendSystemPrompt: o.appendSystemPrompt as string | undefined,
    cwd: o.cwd as string | undefined,
    mcpConfig,
    // A data gateway exists to distil input cheaply, so it runs lean unless told otherwise.
    lean: (o.lean as boolean | undefined) ?? role === 'gateway',
    billing: (o.billing as ClaudeCodeBilling | undefined) ?? 'subscription',
  };
}

/** How the process picks up its conversation. */
export type SessionStart =
  | { readonly kind: 'new'; readonly sessionId: string }
  | { readonly kind: 'resume'; readonly sessionId: string }
  | { readonly kind: 'fork'; readonly fromSessionId: string; readonly sessionId: string; readonly atMessage?: string };

/**
 * The argv of a long-lived stream-json process. Free-text values use the `--flag=value` form so a prompt that starts
 * with '-' can never be read as a flag; the list-valued flags come last but one, each closed by a following flag.
 */
export function buildArgs(init: SessionInit, o: ClaudeCodeInstanceOptions, start: SessionStart): string[] {
  const args = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
  args.push(`--model=${init.model}`);
  switch (start.kind) {
    case 'new':
      args.push('--session-id', start.sessionId);
      break;
    case 'resume':
      args.push('--resume', start.sessionId);
      break;
    case 'fork':
      args.push('--resume', start.fromSessionId, '--fork-session', '--session-id', start.sessionId);
      if (start.atMessage) args.push('--resume-session-at', start.atMessage);
      break;
  }
  if (o.lean) {
    // --bare reads auth strictly from ANTHROPIC_API_KEY, so it would log a subscription user out.
    if (o.billing === 'apiKey') args.push('--bare');
    args.push(`--system-prompt=${init.systemPrompt ?? LEAN_DEFAULT_SYSTEM_PROMPT}`);
    if (o.appendSystemPrompt) args.push(`--append-system-prompt=${o.appendSystemPrompt}`);
  } else {
    // Replacing Claude Code's own prompt would take its tools' instructions away; the instance's prompt is added.
    const append = [init.systemPrompt, o.appendSystemPrompt].filter((s): s is string => !!s).join('\n\n');
    if (append) args.push(`--append-system-prompt=${append}`);
  }
  if (o.permissionMode) args.push('--permission-mode', o.permissionMode);
  if (o.maxTurns !== undefined) args.push('--max-turns', String(o.maxTurns));
  if (o.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(o.maxBudgetUsd));
  if (o.mcpConfig) args.push(`--mcp-config=${o.mcpConfig}`);
  if (o.lean) args.push('--tools', '');
  if (o.allowedTools?.length) args.push('--allowedTools', ...o.allowedTools);
  return args;
}

/** Variables that would make the CLI bill an API key instead of the user's subscription. */
export const KEY_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

/**
 * The child's whole environment (execa is told not to extend it). Keys are scrubbed unless the instance bills an API
 * key, and then the key travels only here, never in argv (argv is visible to every user of the machine).
 */
export function buildEnv(base: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>>, apiKey: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  Object.assign(env, extra);
  for (const k of KEY_VARIABLES) delete env[k];
  if (apiKey !== undefined) env.ANTHROPIC_API_KEY = apiKey;
  return env;
}
