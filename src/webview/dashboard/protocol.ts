/**
 * The usage dashboard's protocol: the one file both sides import. Host → page messages are `did…` notifications;
 * page → host messages are commands, which the page may send as requests (../shared/messaging.ts) to learn whether
 * they worked. Plain types only: no DOM and no `vscode`. Dollars travel as numbers and are formatted by the page,
 * so the chart and the figures come from the same values.
 */
import type { DidReply } from '../shared/messaging';

export type DashboardPeriod = 'day' | 'week' | 'month';
export const DASHBOARD_PERIODS: readonly DashboardPeriod[] = ['day', 'week', 'month'];

/** Figures of one slice (everything, a backend, a model, an instance). */
export interface FiguresView {
  /** Dollars of the priced records only. */
  readonly usd: number;
  /** Records at a price nobody knows: shown as a count, never folded in as $0. */
  readonly unpriced: number;
  readonly records: number;
  readonly savedUsd: number;
  /** Cache reads over all prompt-side tokens; absent when nothing was sent. */
  readonly hitRate?: number;
}

export interface BreakdownRow extends FiguresView {
  readonly key: string;
}

/** The chart: one stack per backend over the buckets (days, weeks or months), oldest first. */
export interface SeriesView {
  readonly labels: readonly string[];
  readonly stacks: ReadonlyArray<{ readonly backend: string; readonly usd: readonly number[]; readonly unpriced: readonly number[] }>;
}

/** A cap from the settings and what has been spent against it. Unset caps are not sent at all. */
export interface GaugeView {
  readonly label: string;
  readonly spentUsd: number;
  readonly capUsd: number;
  readonly unpriced: number;
}

/** How far the pre-flight token estimates were from the reported prompts, for one token family. */
export interface EstimateErrorView {
  /** `claude`, `openai`, `ollama` or `other` (a server's own model). */
  readonly family: string;
  readonly count: number;
  /** Mean |estimate − reported| / reported, in percent. */
  readonly meanAbsPctError: number;
}

export interface DashboardView {
  readonly period: DashboardPeriod;
  /** Names the current period: "today", "this week", "this month". */
  readonly periodLabel: string;
  readonly from: number;
  readonly to: number;
  readonly totals: FiguresView;
  readonly series: SeriesView;
  readonly byBackend: readonly BreakdownRow[];
  readonly byModel: readonly BreakdownRow[];
  readonly byInstance: readonly BreakdownRow[];
  readonly gauges: readonly GaugeView[];
  /** The token estimate's error by model family over the period; empty when nothing can be compared yet. */
  readonly estimateError: readonly EstimateErrorView[];
}

/** One of the most expensive attempts of the period. */
export interface TopRequestView {
  readonly at: number;
  readonly instance: string;
  readonly backend: string;
  readonly model: string;
  readonly askId: string;
  readonly usd: number;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly outcome: string;
}

export type HostMessage =
  | { readonly type: 'didLoad'; readonly view: DashboardView }
  /** Sent after `didLoad`: it needs the period's records, not just the summaries, so it must not hold the page up. */
  | { readonly type: 'didLoadTop'; readonly period: DashboardPeriod; readonly top: readonly TopRequestView[] }
  | { readonly type: 'didFail'; readonly message: string }
  | DidReply;

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'setPeriod'; readonly period: DashboardPeriod }
  | { readonly type: 'refresh' }
  /** Opens the chat of the instance that made a request. */
  | { readonly type: 'openRequest'; readonly instance: string; readonly askId: string }
  /** Saves the chart range's records through a save dialog. */
  | { readonly type: 'export'; readonly format: 'csv' | 'json' };

/** State the page keeps across reloads (`vscode.setState`). */
export interface DashboardWebviewState {
  readonly period?: DashboardPeriod;
}

const MAX_ID = 200;

export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const id = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0 && (m[k] as string).length <= MAX_ID;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return { type: m.type };
    case 'setPeriod':
      return (DASHBOARD_PERIODS as readonly unknown[]).includes(m.period) ? { type: 'setPeriod', period: m.period as DashboardPeriod } : undefined;
    case 'openRequest':
      return id('instance') && id('askId') ? { type: 'openRequest', instance: m.instance as string, askId: m.askId as string } : undefined;
    case 'export':
      return m.format === 'csv' || m.format === 'json' ? { type: 'export', format: m.format } : undefined;
    default:
      return undefined;
  }
}
