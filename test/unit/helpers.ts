import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicBackend, type AnthropicBackendOptions } from '../../src/core/backends/anthropic';
import { Fleet } from '../../src/core/fleet';
import { type FleetOptions } from '../../src/core/fleetTypes';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';

export interface Rig {
  fake: AnthropicFake;
  fleet: Fleet;
  backend: AnthropicBackend;
  close(): Promise<void>;
}

/** A Fleet with the real Anthropic SDK pointed at the loopback fake. SDK retries are off so faults surface. */
export async function rig(options: Partial<FleetOptions> = {}, backendOptions: Partial<AnthropicBackendOptions> = {}): Promise<Rig> {
  const fake = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
  const backend = new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: fake.url, maxRetries: 0, ...backendOptions });
  const fleet = new Fleet({ backends: [backend], ...options });
  return {
    fake,
    fleet,
    backend,
    close: async () => {
      await fleet.killAll();
      fleet.dispose();
      await fake.close();
    },
  };
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'llm-fleet-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Resolves once `predicate` holds, polling briefly; fails with `what` after a generous bound. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const HAIKU = 'claude-haiku-4-5';
