/**
 * Context compression over a 200-turn conversation, compressed against uncompressed, side by side in one run, each
 * through a real Fleet and the real Anthropic SDK against the loopback fake (Claude Opus 4.5, summaries by the
 * default summarizer, Claude Haiku 4.5). Each turn adds about 1,500 tokens (a question with code, a long answer).
 * Figures: input tokens sent in all (summaries included), dollars at the price table's rates, and the input tokens
 * of turns 50, 100, 150 and 200, the growth per turn (a least-squares fit over turns 51-200) and the largest turn
 * of the last 100. The runs:
 *   - uncompressed;
 *   - the old default, the window alone (`maxContextTokens` 0: trigger at 0.75 of the model's 200k window), for
 *     comparison: the first ~100 turns go out whole, so it cannot reach the goal;
 *   - the defaults (`maxContextTokens` 48,000: trigger at 36k; 4 turns kept);
 *   - `maxContextTokens` 64,000 and 32,000, the neighbours the default was chosen between.
 * Goal: flat growth per turn, and at least 80% fewer input tokens over the 200 turns, with the defaults.
 * The fake does not simulate prompt caching: with caching, the uncompressed run would cost less per token (cache
 * reads are a tenth of the input rate), so the dollar saving here is an upper bound; the token figures are not.
 */
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { CompressionStage, DEFAULT_MAX_CONTEXT_TOKENS, type CompressionSettings } from '../../src/core/context/window';
import { contextWindow } from '../../src/core/context/contextWindows';
import { SUMMARIZER_SYSTEM } from '../../src/core/context/summary';
import type { Usage } from '../../src/core/cost/usage';
import { Fleet } from '../../src/core/fleet';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type RecordedRequest } from '../fixtures/anthropicFake';
import { fmt } from './stats';

const MODEL = 'claude-opus-4-5';
const TURNS = 200;
const CHECKPOINTS = [50, 100, 150, 200];
const QUESTION = 'Here is the next function of the loader; what would you change, and why?\n\n```ts\n' + 'export function step(config: Config, key: string): Value { return config.values[key] ?? defaults[key]; }\n'.repeat(24) + '```\n';
const ANSWER = 'I would change the lookup so that a missing key is reported with its path, keep the defaults table separate, and add a test for the empty config. '.repeat(16);

interface RunResult {
  readonly label: string;
  readonly input: number;
  readonly usd: number;
  readonly perTurn: number[];
  readonly summaries: number;
}

const isSummarizer = (r: RecordedRequest) => JSON.stringify(r.body?.system ?? '').includes(SUMMARIZER_SYSTEM.slice(0, 40));

async function run(label: string, settings: Partial<CompressionSettings> | undefined): Promise<RunResult> {
  const fake = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
  let summaries = 0;
  fake.fallback = (req, n) => (isSummarizer(req) ? { kind: 'reply', text: `## Goal\n- review the loader (summary ${++summaries})\n## Decisions and conclusions\n` + '- report missing keys with their path; keep defaults apart; test the empty config\n'.repeat(18) } : { kind: 'reply', text: `(${n}) ${ANSWER}` });
  const backend = new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: fake.url, maxRetries: 0 });
  let fleet: Fleet | undefined;
  const stage = new CompressionStage({
    backends: () => [backend],
    apply: (name, mark) => fleet!.applyCompression(name, mark),
    price: (b, u, m) => fleet!.price(b, u, m),
    windowOf: async (t) => contextWindow(t.backend, t.model),
  });
  if (settings) stage.configure(settings);
  fleet = new Fleet({ backends: [backend], stages: settings ? [stage.stage] : [] });
  try {
    fleet.spawn('reviewer', { backend: 'anthropic', model: MODEL, systemPrompt: 'You review TypeScript code.' });
    const perTurn: number[] = [];
    for (let i = 1; i <= TURNS; i++) {
      const answer = await fleet.ask('reviewer', `${i}. ${QUESTION}`);
      perTurn.push(answer.usage?.input ?? 0);
    }
    let input = 0;
    let usd = 0;
    for (const r of fake.messageRequests()) {
      const u = r.usage ?? {};
      const usage: Usage = { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cacheWrite5m: u.cache_creation_input_tokens ?? 0, cacheWrite1h: 0, cacheRead: u.cache_read_input_tokens ?? 0 };
      input += usage.input;
      usd += fleet.price('anthropic', usage, r.body.model).usd ?? NaN;
    }
    return { label, input, usd, perTurn, summaries };
  } finally {
    await fleet.killAll();
    fleet.dispose();
    await fake.close();
  }
}

/** Tokens added per turn, fitted over the turns given: a sawtooth of compressions fits as about flat. */
function leastSquaresSlope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

async function main(): Promise<void> {
  const runs = [
    await run('uncompressed', undefined),
    await run('old default (window only: 0.75 of 200k)', { maxContextTokens: 0 }),
    await run(`defaults (maxContextTokens ${DEFAULT_MAX_CONTEXT_TOKENS / 1000}k)`, {}),
    await run('maxContextTokens 64k', { maxContextTokens: 64_000 }),
    await run('maxContextTokens 32k', { maxContextTokens: 32_000 }),
  ];
  const base = runs[0];
  console.log(`${TURNS} turns on ${MODEL}, about ${Math.round(base.perTurn[1] - base.perTurn[0]).toLocaleString('en-US')} input tokens added per turn; summaries by claude-haiku-4-5 (counted in the totals).`);
  console.log(['run'.padEnd(40), 'input tokens'.padStart(14), 'vs none'.padStart(9), 'dollars'.padStart(10), 'vs none'.padStart(9), 'summaries'.padStart(10), ...CHECKPOINTS.map((c) => `turn ${c}`.padStart(10)), 'growth/turn 51-200'.padStart(19), 'max 101-200'.padStart(12)].join(' '));
  for (const r of runs) {
    const slope = leastSquaresSlope(r.perTurn.slice(50));
    const max = Math.max(...r.perTurn.slice(100));
    console.log(
      [
        r.label.padEnd(40),
        r.input.toLocaleString('en-US').padStart(14),
        `${fmt((1 - r.input / base.input) * 100, 1)}%`.padStart(9),
        `$${fmt(r.usd, 2)}`.padStart(10),
        `${fmt((1 - r.usd / base.usd) * 100, 1)}%`.padStart(9),
        String(r.summaries).padStart(10),
        ...CHECKPOINTS.map((c) => r.perTurn[c - 1].toLocaleString('en-US').padStart(10)),
        fmt(slope, 0).padStart(19),
        max.toLocaleString('en-US').padStart(12),
      ].join(' '),
    );
  }
  const best = runs[2]; // the defaults
  const saved = 1 - best.input / base.input;
  console.log(`goal (at least 80% fewer input tokens, flat growth): ${saved >= 0.8 ? 'met' : 'NOT met'} by "${best.label}" with ${fmt(saved * 100, 1)}% fewer`);
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
