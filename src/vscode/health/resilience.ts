import * as vscode from 'vscode';
import type { Fleet } from '../../core/fleet';
import type { Logger } from '../../core/log';
import { parseChain } from '../../core/routing/chainConfig';
import { chainOf, DEFAULT_FALLBACK, fallbackStage, type FallbackSettings } from '../../core/routing/fallback';
import { HealthRegistry } from '../../core/routing/health';
import type { TurnStage } from '../../core/turn/types';
import { changed, readSettings } from '../config';
import { SECTION } from '../settings';

/**
 * The fallback stage and the health registry, configured from `llmFleet.fallback.*`. The chain is read raw (not
 * through readSettings), so a bad link is said in the log and a warning rather than silently dropped; the numbers
 * come clamped from the typed settings. A change applies to the next ask.
 */
export class Resilience implements vscode.Disposable {
  readonly health = new HealthRegistry();
  readonly stage: TurnStage;
  private settings: FallbackSettings = DEFAULT_FALLBACK;
  private fleet: Fleet | undefined;
  private readonly listener: vscode.Disposable;

  constructor(private readonly log: Logger) {
    this.stage = fallbackStage({ health: this.health, settings: () => this.settings });
    this.apply();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (changed(e, 'fallback.chain', 'fallback.maxAttempts', 'fallback.maxRetryWaitSeconds', 'fallback.firstDeltaTimeoutSeconds', 'fallback.cooldownFailures', 'fallback.cooldownSeconds')) this.apply();
    });
  }

  /** The Fleet whose instances may carry their own chains (set once it exists: the backends are built before it). */
  attach(fleet: Fleet): void {
    this.fleet = fleet;
  }

  /**
   * Whether a chain applies to this instance (its own, else the global one): its Claude Code processes then start
   * with no retries of their own (an environment variable, so per process, not per turn as the SDKs' are), so the
   * chain's attempts are the only retries and never multiply with the CLI's.
   */
  chainApplies(instance: string): boolean {
    // A one-off session (a summarizer's) belongs to no instance, and no chain runs for it.
    if (!this.fleet?.has(instance)) return false;
    const spec = this.fleet.get(instance).spec;
    // As the fallback stage reads it: more than the instance's own target.
    return chainOf({ backend: spec.backend, model: spec.model }, spec.fallback, this.settings.chain).length > 1;
  }

  private apply(): void {
    const s = readSettings();
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown>('fallback.chain');
    const { links, problems } = parseChain(raw);
    for (const p of problems) this.log.warn(`Settings: ${p}`);
    if (problems.length > 0) void vscode.window.showWarningMessage(`LLM Fleet: ${problems[0]}`);
    this.settings = {
      chain: links,
      maxAttempts: s['fallback.maxAttempts'],
      maxRetryWaitMs: s['fallback.maxRetryWaitSeconds'] * 1000,
      firstDeltaTimeoutMs: s['fallback.firstDeltaTimeoutSeconds'] * 1000,
    };
    this.health.configure({ failureThreshold: s['fallback.cooldownFailures'], cooldownMs: s['fallback.cooldownSeconds'] * 1000 });
  }

  dispose(): void {
    this.listener.dispose();
    this.health.dispose();
  }
}
