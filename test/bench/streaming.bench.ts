/**
 * Streaming overhead and fan-out of the Fleet, against the loopback Messages API fake.
 * 1. 20,000 deltas streamed as fast as the fake can (in a process of its own): consumed through Fleet.ask (iterating
 *    the handle) with no pipeline stages, through a pipeline of four pass-through stages, and as the raw SDK stream,
 *    in rotating order. Goal: the four-stage pipeline keeps at least 0.97 of raw throughput.
 * 2. One broadcast to 50 instances, served from another process too: the manager's overhead per delta against the
 *    same requests made with the raw SDK at the same concurrency, and the event-loop delay during the broadcast,
 *    which is then the Fleet's own. Goal: p99 under 10 ms.
 */
import Anthropic from '@anthropic-ai/sdk';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { Fleet } from '../../src/core/fleet';
import type { TurnStage } from '../../src/core/turn/types';
import { alternate, fmt, median, rotate, spread } from './stats';

const DELTAS = 20_000;
const ROUNDS = 31;
const FAN_OUT = 50;
const FAN_DELTAS = 400;
const CONCURRENCY = 8;
const MODEL = 'claude-haiku-4-5';

/** A stage that only hands the turn on, as budgets or routing do when they have nothing to change. */
const passThrough: TurnStage = (request, next) => next(request);

/** Starts support/deltaServer.ts in its own process and resolves to its URL. */
async function deltaServer(deltas: number, prefix = 'tok'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support/deltaServer.ts'), String(deltas), prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = once(child.stdout!, 'data').then(([line]) => String(line).trim());
  const died = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the delta server exited (${code}) before it served`)));
  return { url: await Promise.race([started, died]), child };
}

async function main(): Promise<void> {
  // The stream under test comes from another process, so the client's throughput is not shared with the server.
  const server = await deltaServer(DELTAS);
  process.once('exit', () => server.child.kill());
  const sdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
  const backend = () => new AnthropicBackend({ getApiKey: async () => 'sk-ant-bench', baseURL: server.url, maxRetries: 0 });
  const bare = new Fleet({ backends: [backend()], broadcastConcurrency: CONCURRENCY });
  const staged = new Fleet({ backends: [backend()], broadcastConcurrency: CONCURRENCY, stages: [passThrough, passThrough, passThrough, passThrough] });
  for (const f of [bare, staged]) f.spawn('bench', { backend: 'anthropic', model: MODEL });

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
  const viaFleet = (fleet: Fleet) => async (): Promise<number> => {
    // Each ask starts a fresh conversation, so every side sends the same small request.
    fleet.get('bench').transcript.length && (await fleet.kill('bench'), fleet.spawn('bench', { backend: 'anthropic', model: MODEL }));
    const start = performance.now();
    let n = 0;
    for await (const _ of fleet.ask('bench', 'go')) n++;
    if (n !== DELTAS) throw new Error(`fleet stream saw ${n} deltas`);
    return DELTAS / ((performance.now() - start) / 1000);
  };
  const [rawRuns, bareRuns, stagedRuns] = await rotate(ROUNDS, [raw, viaFleet(bare), viaFleet(staged)]);
  // Each round runs all three back to back, so a ratio within a round is free of the machine's drift between rounds.
  const ratios = (runs: number[]) => runs.map((r, i) => r / rawRuns[i]);
  const line = (label: string, runs: number[]) => {
    const [lo, hi] = spread(ratios(runs));
    console.log(`  ${label}: ${fmt(median(runs), 0)} deltas/s; ratio to raw ${fmt(median(ratios(runs)), 3)} (median of per-round ratios; spread ${fmt(lo, 3)}–${fmt(hi, 3)})`);
  };
  console.log(`Streaming overhead: ${DELTAS.toLocaleString()} deltas, ${ROUNDS} rotating rounds each`);
  console.log(`  raw SDK stream        : ${fmt(median(rawRuns), 0)} deltas/s`);
  line('Fleet.ask, no stages    ', bareRuns);
  line('Fleet.ask, four stages  ', stagedRuns);
  console.log(`  four stages against no stages: ${fmt(median(stagedRuns.map((r, i) => r / bareRuns[i])), 3)}   (goal: four stages ≥ 0.97 of raw)`);
  await bare.killAll();
  await staged.killAll();
  server.child.kill();

  // Fan-out: served from another process as well, so the event-loop delay measured here is the Fleet's own.
  const fanServer = await deltaServer(FAN_DELTAS, 'w');
  process.once('exit', () => fanServer.child.kill());
  const fanFleet = new Fleet({ backends: [new AnthropicBackend({ getApiKey: async () => 'sk-ant-bench', baseURL: fanServer.url, maxRetries: 0 })], broadcastConcurrency: CONCURRENCY });
  const fanSdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: fanServer.url, maxRetries: 0, logLevel: 'off' });
  for (let i = 0; i < FAN_OUT; i++) fanFleet.spawn(`w${i}`, { backend: 'anthropic', model: MODEL });
  let streamed = 0;
  fanFleet.onDidStream(() => streamed++); // a listener, as the UI has one

  /** Runs `work` with the event-loop delay recorded, and keeps that run's p99 in `into`. */
  const watched = async (into: number[], work: () => Promise<void>): Promise<number> => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const start = performance.now();
    await work();
    const ms = performance.now() - start;
    h.disable();
    into.push(h.percentile(99) / 1e6);
    return ms;
  };
  const rawLoopP99: number[] = [];
  const rawFan = (): Promise<number> => watched(rawLoopP99, async () => {
    let next = 0;
    const worker = async () => {
      while (next < FAN_OUT) {
        next++;
        const stream = await fanSdk.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'fan' }], stream: true });
        for await (const _ of stream);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });
  const loopP99: number[] = [];
  const fleetFan = async (): Promise<number> => {
    for (const i of fanFleet.list()) if (i.messageCount > 0) (await fanFleet.kill(i.name), fanFleet.spawn(i.name, { backend: 'anthropic', model: MODEL }));
    let failed = false;
    const ms = await watched(loopP99, async () => {
      failed = (await fanFleet.broadcast('all', 'fan')).some((r) => !r.ok);
    });
    if (failed) throw new Error('a broadcast member failed');
    return ms;
  };
  const f = await alternate(5, rawFan, fleetFan);
  const total = FAN_OUT * FAN_DELTAS;
  const overheadUs = ((median(f.b) - median(f.a)) * 1000) / total;
  console.log(`\nFan-out: broadcast to ${FAN_OUT} instances × ${FAN_DELTAS} deltas, concurrency ${CONCURRENCY}, 5 alternating rounds (median)`);
  console.log(`  raw SDK, same concurrency: ${fmt(median(f.a), 1)} ms`);
  console.log(`  Fleet.broadcast          : ${fmt(median(f.b), 1)} ms   (${streamed.toLocaleString()} delta events delivered)`);
  console.log(`  manager overhead per delta: ${fmt(overheadUs, 2)} µs`);
  // Per broadcast (the warm-up among them); the same requests through the raw SDK show what the client's own stream
  // parsing costs the loop, so the difference is the Fleet's.
  const loop = (xs: number[]) => `p99 ${fmt(median(xs), 1)} ms (median of ${xs.length}; worst ${fmt(Math.max(...xs), 1)} ms)`;
  console.log(`  event-loop delay: Fleet.broadcast ${loop(loopP99)}; raw SDK ${loop(rawLoopP99)}   (goal: Fleet p99 < 10 ms)`);

  await fanFleet.killAll();
  fanServer.child.kill();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
