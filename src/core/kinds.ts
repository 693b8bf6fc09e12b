// The two vocabularies every layer shares: which backend, and which role. Kept apart from backend.ts so the
// transcript and the backends can both name them without importing each other.

export type BackendKind = 'anthropic' | 'claudeCode' | 'ollama' | 'openai';

export const BACKEND_KINDS: readonly BackendKind[] = ['anthropic', 'claudeCode', 'ollama', 'openai'];

/** How each backend is named to the user, in the tree, the chat and the dashboard. */
export const BACKEND_LABELS: Readonly<Record<BackendKind, string>> = {
  claudeCode: 'Claude Code',
  anthropic: 'Anthropic API',
  ollama: 'Ollama',
  openai: 'OpenAI-compatible',
};

/** The role an instance plays; workers and gateways may run with a lean prompt. */
export type Role = 'general' | 'orchestrator' | 'worker' | 'gateway';

export const ROLES: readonly Role[] = ['general', 'orchestrator', 'worker', 'gateway'];
