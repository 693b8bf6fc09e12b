/**
 * Streaming overhead and fan-out of the Fleet, against the loopback Messages API fake.
 * 1. 20,000 deltas streamed as fast as the fake can (in a process of its own): consumed through Fleet.ask (iterating
 *    the handle) against the raw SDK stream, alternating. Goal: at least 0.95 of raw throughput.
 * 2. One broadcast to 50 instances: the manager's overhead per delta against the same requests made with the raw
 *    SDK at the same concurrency, and the event-loop delay (p99) during the broadcast.
 */
import Anthropic from '@anthropic-ai/sdk';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { Fleet } from '../../src/core/fleet';
import { startAnthropicFake } from '../fixtures/anthropicFake';
import { alternate, fmt, median } from './stats';

const DELTAS = 20_000;
const ROUNDS = 31;
const FAN_OUT = 50;
const FAN_DELTAS = 400;
const CONCURRENCY = 8;
const MODEL = 'claude-haiku-4-5';

/** Starts support/deltaServer.ts in its own process and resolves to its URL. */
async function deltaServer(deltas: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support/deltaServer.ts'), String(deltas)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = once(child.stdout!, 'data').then(([line]) => String(line).trim());
  const died = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the delta server exited (${code}) before it served`)));
  return { url: await Promise.race([started, died]), child };
}

async function main(): Promise<void> {
  // The stream under test comes from another process, so the client's throughput is not shared with the server.
  const server = await deltaServer(DELTAS);
  process.once('exit', () => server.child.kill());
  const sdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
  const fleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => 'sk-ant-bench', baseURL: server.url, maxRetries: 0 })], broadcastConcurrency: CONCURRENCY });
  fleet.spawn('bench', { backend: 'anthropic', model: MODEL });

  const raw = async (): Promise<number> => {
    const start = performance.now();
    let n = 0;
    let text = '';
    const stream = await sdk.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'go' }], stream: true });
    for await (const e of stream) {
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') {
        n++;
        text += e.delta.text;
      }
    }
    if (n !== DELTAS || text.length === 0) throw new Error(`raw stream saw ${n} deltas`);
    return DELTAS / ((performance.now() - start) / 1000);
  };
  const viaFleet = async (): Promise<number> => {
    // Each ask starts a fresh conversation, so both sides send the same small request.
    fleet.get('bench').transcript.length && (await fleet.kill('bench'), fleet.spawn('bench', { backend: 'anthropic', model: MODEL }));
    const start = performance.now();
    let n = 0;
    for await (const _ of fleet.ask('bench', 'go')) n++;
    if (n !== DELTAS) throw new Error(`fleet stream saw ${n} deltas`);
    return DELTAS / ((performance.now() - start) / 1000);
  };
  const s = await alternate(ROUNDS, raw, viaFleet);
  const rawMedian = median(s.a);
  const fleetMedian = median(s.b);
  // Each round runs both back to back, so the ratio within a round is free of the machine's drift between rounds.
  const pairedRatio = median(s.a.map((r, i) => s.b[i] / r));
  console.log(`Streaming overhead: ${DELTAS.toLocaleString()} deltas, ${ROUNDS} alternating rounds each (median)`);
  console.log(`  raw SDK stream : ${fmt(rawMedian, 0)} deltas/s`);
  console.log(`  Fleet.ask      : ${fmt(fleetMedian, 0)} deltas/s`);
  console.log(`  ratio Fleet/raw: ${fmt(pairedRatio, 3)} (median of per-round ratios; ${fmt(fleetMedian / rawMedian, 3)} from the medians)   (goal ≥ 0.95)`);

  // Fan-out: the fake in this process, as the manager's own overhead per delta is what this part measures.
  await fleet.killAll();
  server.child.kill();
  const fake = await startAnthropicFake({ apiKey: 'sk-ant-bench' });
  const fanFleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => 'sk-ant-bench', baseURL: fake.url, maxRetries: 0 })], broadcastConcurrency: CONCURRENCY });
  const fanSdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
  const fanDeltas = Array.from({ length: FAN_DELTAS }, (_, i) => `w${i} `);
  fake.fallback = { kind: 'reply', deltas: fanDeltas };
  for (let i = 0; i < FAN_OUT; i++) fanFleet.spawn(`w${i}`, { backend: 'anthropic', model: MODEL });
  let streamed = 0;
  fanFleet.onDidStream(() => streamed++); // a listener, as the UI has one

  const rawFan = async (): Promise<number> => {
    const start = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < FAN_OUT) {
        next++;
        const stream = await fanSdk.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'fan' }], stream: true });
        for await (const _ of stream);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return performance.now() - start;
  };
  let loopP99 = 0;
  let loopMax = 0;
  const fleetFan = async (): Promise<number> => {
    for (const i of fanFleet.list()) if (i.messageCount > 0) (await fanFleet.kill(i.name), fanFleet.spawn(i.name, { backend: 'anthropic', model: MODEL }));
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const start = performance.now();
    const results = await fanFleet.broadcast('all', 'fan');
    const ms = performance.now() - start;
    h.disable();
    loopP99 = Math.max(loopP99, h.percentile(99) / 1e6);
    loopMax = Math.max(loopMax, h.max / 1e6);
    if (results.some((r) => !r.ok)) throw new Error('a broadcast member failed');
    return ms;
  };
  const f = await alternate(5, rawFan, fleetFan);
  const total = FAN_OUT * FAN_DELTAS;
  const overheadUs = ((median(f.b) - median(f.a)) * 1000) / total;
  console.log(`\nFan-out: broadcast to ${FAN_OUT} instances × ${FAN_DELTAS} deltas, concurrency ${CONCURRENCY}, 5 alternating rounds (median)`);
  console.log(`  raw SDK, same concurrency: ${fmt(median(f.a), 1)} ms`);
  console.log(`  Fleet.broadcast          : ${fmt(median(f.b), 1)} ms   (${streamed.toLocaleString()} delta events delivered)`);
  console.log(`  manager overhead per delta: ${fmt(overheadUs, 2)} µs`);
  console.log(`  event-loop delay during broadcast: p99 ${fmt(loopP99, 1)} ms, max ${fmt(loopMax, 1)} ms`);

  await fanFleet.killAll();
  await fake.close();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
