// The Messages API fake in a process of its own, answering every request with the same stream of deltas, so a
// benchmark's client measures its own work only (a fake in the same event loop shares its thread and its GC).
// Prints its URL on stdout, then serves until killed.  Usage: deltaServer.ts <deltas> [prefix]
import { startAnthropicFake } from '../../fixtures/anthropicFake';

const count = Number(process.argv[2] ?? 20_000);
const prefix = process.argv[3] ?? 'tok';
const deltas = Array.from({ length: count }, (_, i) => `${prefix}${i % 100} `);
void startAnthropicFake({ apiKey: 'sk-ant-bench' }).then((fake) => {
  fake.fallback = { kind: 'reply', deltas };
  process.stdout.write(`${fake.url}\n`);
});
