/**
 * Failover time: from a 529 on the first backend of a chain (Anthropic API, real SDK, loopback fake) to the first
 * delta from the second (Ollama, real client, loopback fake), median over runs. Printed beside, in the same run and
 * rotating order: the time to first delta of an ask that goes straight to each backend with no failure. The goal is
 * that failing over costs about one extra round trip, not a retry backoff: the ratio of the failover gap to a
 * direct ask to the second backend near 1.
 */
import { performance } from 'node:perf_hooks';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { Fleet } from '../../src/core/fleet';
import { DEFAULT_FALLBACK, fallbackStage, type FallbackSettings } from '../../src/core/routing/fallback';
import { HealthRegistry } from '../../src/core/routing/health';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake } from '../fixtures/ollamaFake';
import { fmt, median, rotate } from './stats';

const ROUNDS = 41;
const HAIKU = 'claude-haiku-4-5';
const QWEN = 'qwen2.5:7b';

async function main(): Promise<void> {
  const anthropic = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
  const ollama = await startOllamaFake([{ name: QWEN, contextLength: 32768, family: 'qwen2' }]);
  // No breaker in the way: every failover run meets a healthy first backend, as the first 529 of a storm does.
  const health = new HealthRegistry({ failureThreshold: 1_000_000 });
  const settings: FallbackSettings = { ...DEFAULT_FALLBACK, chain: [{ backend: 'ollama', model: QWEN }] };
  const fleet = new Fleet({
    backends: [new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: anthropic.url, maxRetries: 0 }), new OllamaBackend({ host: ollama.url })],
    stages: [fallbackStage({ health, settings: () => settings })],
  });
  fleet.spawn('chained', { backend: 'anthropic', model: HAIKU });
  fleet.spawn('direct-ollama', { backend: 'ollama', model: QWEN });

  let refusedAt = 0;
  const firstDelta = async (name: string, prompt: string): Promise<number> => {
    const handle = fleet.ask(name, prompt);
    const sent = performance.now();
    let at = 0;
    for await (const _ of handle) {
      at ||= performance.now();
    }
    return at - sent;
  };
  /** The fake answers 529 and notes when; the time is from that moment to the first delta from Ollama. */
  const failover = async (): Promise<number> => {
    anthropic.fallback = () => ((refusedAt = performance.now()), { kind: 'status', status: 529, errorType: 'overloaded_error' });
    const handle = fleet.ask('chained', 'fail over');
    let at = 0;
    for await (const _ of handle) at ||= performance.now();
    const answer = await handle;
    if (answer.backend !== 'ollama') throw new Error(`the chain did not fail over: ${answer.backend}`);
    return at - refusedAt;
  };
  const directAnthropic = async (): Promise<number> => {
    anthropic.fallback = { kind: 'reply', text: 'a short direct answer' };
    return firstDelta('chained', 'no failure');
  };
  const directOllama = () => firstDelta('direct-ollama', 'no failure');
  const failoverTotal = async (): Promise<number> => {
    anthropic.fallback = { kind: 'status', status: 529, errorType: 'overloaded_error' };
    return firstDelta('chained', 'fail over, whole ask');
  };

  const [fo, total, da, dO] = await rotate(ROUNDS, [failover, failoverTotal, directAnthropic, directOllama]);
  const m = { fo: median(fo), total: median(total), da: median(da), dO: median(dO) };
  console.log(`failover, ${ROUNDS} runs each (medians, ms):`);
  console.log(`  529 on Anthropic API -> first delta from Ollama:     ${fmt(m.fo)}`);
  console.log(`  whole ask with the failover, ask -> first delta:    ${fmt(m.total)}`);
  console.log(`  no failure, ask -> first delta, Anthropic API:      ${fmt(m.da)}`);
  console.log(`  no failure, ask -> first delta, Ollama:             ${fmt(m.dO)}`);
  console.log(`  failover gap / direct Ollama time to first delta:   ${fmt(m.fo / m.dO)}x`);
  console.log(`  whole failover ask / direct Anthropic ask:          ${fmt(m.total / m.da)}x`);
  await fleet.killAll();
  fleet.dispose();
  await Promise.all([anthropic.close(), ollama.close()]);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
