/**
 * The settings the extension reads, with their defaults: the one typed mirror of `contributes.configuration`
 * (the manifest test checks that both agree). No `vscode` import, so plain-Node tests can read it.
 */
export const SETTINGS = {
  'anthropic.baseUrl': '',
  'anthropic.maxRetries': 2,
  'claudeCode.path': '',
  'ollama.host': 'http://127.0.0.1:11434',
  'ollama.numCtx': 0,
  'openai.baseUrl': '',
  'openai.prices': {},
  'broadcast.concurrency': 8,
  'budget.dailyUsd': 0,
  'budget.treeUsd': 0,
  'budget.instanceUsd': 0,
  'budget.warnAt': 0.8,
  'router.policy': 'cost-first',
  'router.rules': [],
  'compression.enabled': true,
  'compression.threshold': 0.75,
  'compression.keepTurns': 4,
  'compression.summarizer': 'auto',
  'compression.minSummaryChars': 200,
  'compression.maxContextTokens': 48_000,
  'compression.anthropicMode': 'fleet',
  'fallback.chain': [],
  'fallback.maxAttempts': 4,
  'fallback.maxRetryWaitSeconds': 10,
  'fallback.firstDeltaTimeoutSeconds': 60,
  'fallback.cooldownFailures': 3,
  'fallback.cooldownSeconds': 5,
} as const satisfies Record<string, string | number | boolean | object>;

export type SettingKey = keyof typeof SETTINGS;
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : Readonly<Record<string, unknown>>;
export type Settings = { readonly [K in SettingKey]: Widen<(typeof SETTINGS)[K]> };

export const SECTION = 'llmFleet';
