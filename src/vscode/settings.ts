/**
 * The settings the extension reads, with their defaults: the one typed mirror of `contributes.configuration`
 * (the manifest test checks that both agree). No `vscode` import, so plain-Node tests can read it.
 */
export const SETTINGS = {
  'anthropic.baseUrl': '',
  'anthropic.maxRetries': 2,
  'claudeCode.path': '',
  'broadcast.concurrency': 8,
} as const satisfies Record<string, string | number | boolean>;

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { readonly [K in SettingKey]: (typeof SETTINGS)[K] extends string ? string : (typeof SETTINGS)[K] extends number ? number : boolean };

export const SECTION = 'llmFleet';
