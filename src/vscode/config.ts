import * as vscode from 'vscode';
import { SECTION, SETTINGS, type SettingKey, type Settings } from './settings';

/** Bounds for numeric settings, so a typo in settings.json can't stall the fleet. */
const CLAMP: Partial<Record<SettingKey, [number, number]>> = {
  'anthropic.maxRetries': [0, 10],
  'broadcast.concurrency': [1, 64],
  'ollama.numCtx': [0, 1_048_576],
  'compression.keepTurns': [0, 50],
  'compression.minSummaryChars': [1, 100_000],
  'compression.maxContextTokens': [0, 10_000_000],
  'fallback.maxAttempts': [1, 20],
  'fallback.maxRetryWaitSeconds': [0, 600],
  'fallback.firstDeltaTimeoutSeconds': [0, 3600],
  'fallback.cooldownFailures': [1, 100],
  'fallback.cooldownSeconds': [1, 3600],
};

/** Reads every setting once, typed, with defaults and clamping. Call again after a change. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return Object.fromEntries((Object.keys(SETTINGS) as SettingKey[]).map((k) => [k, valueOf(c, k)])) as Settings;
}

/** One setting, read now (so a change applies to the next request without a reload). */
export function setting<K extends SettingKey>(key: K): Settings[K] {
  return valueOf(vscode.workspace.getConfiguration(SECTION), key);
}

function valueOf<K extends SettingKey>(c: vscode.WorkspaceConfiguration, key: K): Settings[K] {
  const fallback = SETTINGS[key];
  const value = c.get<unknown>(key);
  let v = typeof value === typeof fallback ? value : fallback;
  const range = CLAMP[key];
  if (range && typeof v === 'number') v = Math.min(range[1], Math.max(range[0], Math.round(v)));
  return v as Settings[K];
}

/** True when a configuration change touches one of the given settings. */
export function changed(e: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
