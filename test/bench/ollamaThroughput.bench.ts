/**
 * Real-token benchmark: a real llama.cpp engine (synthetic weights, phi-3 tokenizer) behind the Ollama fake,
 * read once through the Fleet (OllamaBackend, instance, deltas) and once with the `ollama` client used directly,
 * alternating in one run. Prints time to first token and tokens/s for each and their ratio. It asserts nothing
 * timed: the figures depend on the machine.
 *
 *   node --import tsx test/bench/ollamaThroughput.bench.ts [--model medium|small] [--rounds N] [--tokens N]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ollama } from 'ollama';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { Fleet } from '../../src/core/fleet';
import { startOllamaFake } from '../fixtures/ollamaFake';
import { extractVocab, loadNodeLlamaCpp, startLlamaEngine } from './support/llamaEngine';
import { SHAPES, writeSyntheticModel } from './support/syntheticGguf';

interface Run {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
}

const PROMPT = 'Summarize the design of a fleet of language model instances running inside an editor, in detail.';
const SYSTEM = 'You are a concise technical writer.';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string', default: 'medium' }, rounds: { type: 'string', default: '6' }, tokens: { type: 'string', default: '96' } } });
  const shapeName = values.model as keyof typeof SHAPES;
  const shape = SHAPES[shapeName];
  if (!shape) throw new Error(`--model must be one of ${Object.keys(SHAPES).join(', ')}`);
  const rounds = Number(values.rounds);
  const maxTokens = Number(values.tokens);

  const { module, dir } = await loadNodeLlamaCpp((l) => console.log(l));
  const work = mkdtempSync(join(tmpdir(), 'llm-fleet-bench-'));
  const modelName = `synthetic-${shapeName}`;
  try {
    let started = Date.now();
    const vocab = join(work, 'phi-3-vocab.gguf');
    extractVocab(dir, 'phi-3', vocab);
    const modelPath = join(work, `${modelName}.gguf`);
    const bytes = writeSyntheticModel(modelPath, vocab, shape, modelName);
    console.log(`Generated ${modelName}.gguf (${(bytes / 1e6).toFixed(0)} MB, phi-3 vocab) in ${((Date.now() - started) / 1000).toFixed(1)} s; file ${statSync(modelPath).size} bytes.`);
    started = Date.now();
    const engine = await startLlamaEngine(module, modelPath, { maxTokens });
    console.log(`Loaded in ${((Date.now() - started) / 1000).toFixed(1)} s (CPU prebuilt, 1 thread).`);
    const fake = await startOllamaFake([{ name: modelName, contextLength: shape.contextLength, family: 'llama' }]);
    fake.source = engine.source;
    const fleet = new Fleet({ backends: [new OllamaBackend({ host: fake.url })] });
    const direct = new Ollama({ host: fake.url });
    // The same request both ways: the Fleet sends num_ctx from /api/show, so the direct call does too.
    const request = { model: modelName, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT }], options: { num_ctx: shape.contextLength } };

    const viaDirect = async (): Promise<Run> => {
      const t0 = performance.now();
      let first = 0;
      let last = 0;
      let pieces = 0;
      let tokens = 0;
      for await (const chunk of await direct.chat({ ...request, stream: true })) {
        if (chunk.message.content) {
          last = performance.now();
          first ||= last;
          pieces++;
        }
        if (chunk.done) tokens = chunk.eval_count;
      }
      return { ttftMs: first - t0, tokensPerSecond: rate(pieces, first, last), tokens };
    };
    let n = 0;
    const viaFleet = async (): Promise<Run> => {
      const name = `bench-${n++}`;
      fleet.spawn(name, { backend: 'ollama', model: modelName, systemPrompt: SYSTEM });
      const t0 = performance.now();
      let first = 0;
      let last = 0;
      let pieces = 0;
      const handle = fleet.ask(name, PROMPT);
      for await (const _ of handle) {
        last = performance.now();
        first ||= last;
        pieces++;
      }
      const answer = await handle;
      await fleet.kill(name);
      return { ttftMs: first - t0, tokensPerSecond: rate(pieces, first, last), tokens: answer.usage?.output ?? 0 };
    };

    console.log(`Warming up (loads weights into cache, fills the Fleet's /api/show cache)…`);
    await viaDirect();
    await viaFleet();
    report(`Model ${modelName} (${shape.layers} layers, ${shape.embedding} wide), ${maxTokens} tokens per answer, ${rounds} rounds`, await alternate(rounds, viaDirect, viaFleet));
    // The engine's own variance on a shared machine can hide the Fleet's cost, so measure the pipeline alone too:
    // the same wire format and clients with a source that computes nothing, where any difference is overhead.
    // Tokens are paced about 1 ms apart (a fast GPU's rate), so each one crosses the wire on its own.
    const paced = maxTokens * 2;
    fake.source = async function* () {
      for (let i = 0; i < paced; i++) {
        yield `tok${i} `;
        await new Promise((r) => setTimeout(r, 1));
      }
      return { evalCount: paced };
    };
    report(`No engine (pipeline overhead only), ${paced} tokens ~1 ms apart per answer, ${rounds * 2} rounds`, await alternate(rounds * 2, viaDirect, viaFleet, false));
    await fleet.killAll();
    fleet.dispose();
    await fake.close();
    await engine.dispose();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs both sides `rounds` times in ABBA order, so a drift in machine load falls on both sides equally. */
async function alternate(rounds: number, viaDirect: () => Promise<Run>, viaFleet: () => Promise<Run>, verbose = true): Promise<{ direct: Run[]; fleet: Run[] }> {
  const results: { direct: Run[]; fleet: Run[] } = { direct: [], fleet: [] };
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['direct', 'fleet'] as const) : (['fleet', 'direct'] as const);
    for (const side of order) {
      const run = side === 'direct' ? await viaDirect() : await viaFleet();
      results[side].push(run);
      if (verbose) console.log(`  round ${i + 1} ${side.padEnd(6)} TTFT ${run.ttftMs.toFixed(1).padStart(7)} ms   ${run.tokensPerSecond.toFixed(1).padStart(6)} tok/s   ${run.tokens} tokens`);
    }
  }
  return results;
}

function report(title: string, results: { direct: Run[]; fleet: Run[] }): void {
  const d = summary(results.direct);
  const f = summary(results.fleet);
  console.log(`\n${title}, medians:`);
  console.log(`  direct ollama client: TTFT ${d.ttft.toFixed(2)} ms, ${d.tps.toFixed(1)} tok/s`);
  console.log(`  through the Fleet:    TTFT ${f.ttft.toFixed(2)} ms, ${f.tps.toFixed(1)} tok/s`);
  console.log(`  throughput ratio Fleet/direct: ${(f.tps / d.tps).toFixed(3)} (goal >= 0.97)`);
  console.log(`  added time to first token: ${(f.ttft - d.ttft).toFixed(2)} ms (goal < 5 ms)\n`);
}

/** Tokens per second between the first and the last piece, as the reader of the stream sees them. */
function rate(pieces: number, first: number, last: number): number {
  return pieces > 1 && last > first ? ((pieces - 1) * 1000) / (last - first) : 0;
}

function summary(runs: Run[]): { ttft: number; tps: number } {
  return { ttft: median(runs.map((r) => r.ttftMs)), tps: median(runs.map((r) => r.tokensPerSecond)) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
