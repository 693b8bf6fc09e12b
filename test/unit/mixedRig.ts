import { AnthropicBackend } from '../../src/core/backends/anthropic';
import type { Backend } from '../../src/core/backends/backend';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { OpenAiBackend } from '../../src/core/backends/openai';
import type { ModelPrice } from '../../src/core/cost/prices';
import { Fleet } from '../../src/core/fleet';
import { type FleetOptions } from '../../src/core/fleetTypes';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake, type OpenAiFake } from '../fixtures/openaiFake';

export interface MixedFleetRig {
  fleet: Fleet;
  anthropic: AnthropicFake;
  ollama: OllamaFake;
  openai: OpenAiFake;
  close(): Promise<void>;
}

export const OPENAI_MODEL = 'gpt-4o-mini';
export const OPENAI_PRICE: ModelPrice = { input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite5m: 0.15, cacheWrite1h: 0.15 };

/**
 * A Fleet with every API backend, each real client pointed at its loopback fake. `extraBackends` is where the
 * Claude Code CLI backend joins (pointed at the Anthropic fake) for the orchestrator scenario once it lands.
 */
export async function mixedFleetRig(extraBackends: (anthropic: AnthropicFake) => Backend[] = () => [], fleetOptions: Partial<FleetOptions> = {}): Promise<MixedFleetRig> {
  const [anthropic, ollama, openai] = await Promise.all([
    startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY }),
    startOllamaFake([
      { name: 'qwen2.5:7b', contextLength: 32768, family: 'qwen2' },
      { name: 'llama3.2:3b', contextLength: 131072, family: 'llama' },
    ]),
    startOpenAiFake([OPENAI_MODEL]),
  ]);
  const fleet = new Fleet({
    backends: [
      new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: anthropic.url, maxRetries: 0 }),
      new OllamaBackend({ host: ollama.url }),
      new OpenAiBackend({ baseURL: openai.baseURL, maxRetries: 0 }),
      ...extraBackends(anthropic),
    ],
    pricing: { overrides: { [OPENAI_MODEL]: OPENAI_PRICE } },
    ...fleetOptions,
  });
  return {
    fleet,
    anthropic,
    ollama,
    openai,
    close: async () => {
      await fleet.killAll();
      fleet.dispose();
      await Promise.all([anthropic.close(), ollama.close(), openai.close()]);
    },
  };
}
