/**
 * How each backend's health reads in the quick pick and the status bar: pure text, no `vscode` import, so a plain
 * Node test can check the words (state, time left, recent errors, the next step).
 */
import { BACKEND_LABELS, type BackendKind } from '../../core/kinds';
import type { BackendHealth } from '../../core/routing/health';

export interface HealthRow {
  readonly backend: BackendKind;
  /** With its codicon, e.g. "$(watch) Anthropic API: cooling down, 12 s left". */
  readonly label: string;
  /** The next step, when there is one. */
  readonly description?: string;
  /** The recent errors, newest first. */
  readonly detail?: string;
}

const ICONS: Readonly<Record<BackendHealth['state'], string>> = { healthy: '$(pass)', cooling: '$(watch)', open: '$(error)', 'half-open': '$(debug-restart)' };

export function secondsLeft(until: number | undefined, now: number): number | undefined {
  return until === undefined ? undefined : Math.max(0, Math.ceil((until - now) / 1000));
}

/** "cooling down, 12 s left" and the like. */
export function stateText(h: BackendHealth, now: number): string {
  const left = secondsLeft(h.until, now);
  switch (h.state) {
    case 'healthy':
      return h.recent.length > 0 ? `healthy (${h.recent.length} recent error${h.recent.length === 1 ? '' : 's'})` : 'healthy';
    case 'cooling':
      return `cooling down (Retry-After), ${left ?? '?'} s left`;
    case 'open':
      return `out of the chains after ${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'}, ${left ?? '?'} s left`;
    case 'half-open':
      return 'half-open: the next ask is a probe';
  }
}

export function healthRow(h: BackendHealth, now: number): HealthRow {
  const recent = [...h.recent].reverse().map((e) => `${ago(now - e.at)}: ${e.kind}${e.model ? ` (${e.model})` : ''}: ${e.message}`);
  return {
    backend: h.backend,
    label: `${ICONS[h.state]} ${BACKEND_LABELS[h.backend]}: ${stateText(h, now)}`,
    ...(h.nextStep ? { description: h.nextStep } : {}),
    ...(recent.length ? { detail: recent.slice(0, 3).join(' · ') } : {}),
  };
}

/** The status bar's words: nothing to say while every backend is healthy. */
export function healthSummary(all: readonly BackendHealth[], now: number): { text: string; tooltip: string } | undefined {
  const bad = all.filter((h) => h.state !== 'healthy');
  if (bad.length === 0) return undefined;
  const first = bad[0];
  const more = bad.length > 1 ? ` +${bad.length - 1}` : '';
  const left = secondsLeft(first.until, now);
  return {
    text: `$(pulse) ${BACKEND_LABELS[first.backend]} ${first.state}${left !== undefined ? ` ${left}s` : ''}${more}`,
    tooltip: bad.map((h) => `${BACKEND_LABELS[h.backend]}: ${stateText(h, now)}${h.nextStep ? `. ${h.nextStep}` : ''}`).join('\n') + '\nClick for backend health.',
  };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
