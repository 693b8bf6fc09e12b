import { AnthropicBackend } from '../core/backends/anthropic';
import type { Backend } from '../core/backends/backend';
import type { Settings } from './settings';
import type { Secrets } from './secrets';

/** Builds the backends from settings and secrets. Keys are read per request, so a new key applies at once. */
export function createBackends(settings: Settings, secrets: Secrets): Backend[] {
  return [
    new AnthropicBackend({
      getApiKey: () => secrets.get('anthropic'),
      baseURL: settings['anthropic.baseUrl'] || undefined,
      maxRetries: settings['anthropic.maxRetries'],
    }),
  ];
}
