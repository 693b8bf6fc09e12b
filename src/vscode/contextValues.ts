/**
 * The `contextValue` strings of tree items and the context keys of `when` clauses, in one table that package.json
 * refers to (the manifest test checks that every `viewItem` and context key in a `when` clause is one of these).
 * No `vscode` import.
 */
import type { InstanceStatus } from '../core/instance';

export const VIEW_CONTAINER = 'llmFleet';
export const INSTANCES_VIEW = 'llmFleet.instances';

export const INSTANCE_CONTEXT: Readonly<Record<InstanceStatus, string>> = {
  idle: 'llmFleet.instance.idle',
  busy: 'llmFleet.instance.busy',
  error: 'llmFleet.instance.error',
  stopped: 'llmFleet.instance.stopped',
};

/** Context keys set from backend detection, for the welcome view's buttons. */
export const CONTEXT_KEYS = {
  hasInstances: 'llmFleet.hasInstances',
  claudeFound: 'llmFleet.claudeFound',
  anthropicKey: 'llmFleet.anthropicKey',
  ollamaFound: 'llmFleet.ollamaFound',
  detected: 'llmFleet.detected',
} as const;
