/**
 * The router over the labelled prompt set (test/fixtures/routerPrompts.ts): cost as a share of sending everything to
 * the strongest model, hard-prompt recall (hard prompts kept on medium or large models), under each policy and with
 * and without a local model; the held-out, fresh, dev, dev2 and blind sets beside it (dev and dev2 were blind sets,
 * each run once unread and then read to widen the easy signs; the blind one, by a third author, was never read by
 * the rules' authors: run whole, its prompts never printed); and the time per decision (feature extraction and the
 * rules), with the token estimate alone timed side by side as the yardstick it is measured against.
 * Nothing here asserts a figure; it prints them. The unit layer's routerEval.test.ts asserts the issue's goals.
 */
import { performance } from 'node:perf_hooks';
import { estimateTokens } from '../../src/core/context/tokens';
import type { BackendKind } from '../../src/core/kinds';
import { extractFeatures } from '../../src/core/routing/features';
import { Router } from '../../src/core/routing/router';
import { DEFAULT_RULES, POLICIES } from '../../src/core/routing/routerRules';
import { evaluate, FRESH_PROMPTS, HELD_OUT_PROMPTS, labelled, ROUTER_PROMPTS, STRONGEST, type EvalFigures } from '../fixtures/routerPrompts';
import { BLIND_PROMPTS } from '../fixtures/routerPromptsBlind';
import { BLIND_PROMPTS_2 } from '../fixtures/routerPromptsBlind2';
import { BLIND_PROMPTS_3 } from '../fixtures/routerPromptsBlind3';
import { fmt, median } from './stats';

const pct = (x: number) => `${fmt(x * 100, 1)}%`;

function row(name: string, f: EvalFigures): string {
  return `${name.padEnd(34)} ${pct(f.hardRecall).padStart(7)} ${pct(f.easyOnSmall).padStart(7)} ${pct(f.costShare).padStart(7)}   $${fmt(f.usd, 4)}`;
}

console.log(`tuned set: ${ROUTER_PROMPTS.length} labelled prompts (${ROUTER_PROMPTS.filter((p) => p.label === 'hard').length} hard), baseline: every prompt to ${STRONGEST.model}`);
console.log(`${'configuration'.padEnd(34)} ${'hard→S'.padStart(7)} ${'easy→s'.padStart(7)} ${'cost'.padStart(7)}   routed $`);
const setups: ReadonlyArray<readonly [string, readonly BackendKind[]]> = [
  ['Anthropic + Ollama', ['anthropic', 'ollama']],
  ['Anthropic only', ['anthropic']],
];
for (const [label, backends] of setups) {
  for (const policy of POLICIES) {
    if (policy === 'offline' && !backends.includes('ollama')) continue;
    const router = new Router({ backends: () => backends, settings: { policy, rules: DEFAULT_RULES } });
    console.log(row(`${label}, ${policy}`, evaluate(router)));
  }
}
const mixed = new Router({ backends: () => ['anthropic', 'ollama'] });
console.log(row('held-out (seen once), A + O', evaluate(mixed, 'anthropic', HELD_OUT_PROMPTS)));
console.log(row('fresh, A + O', evaluate(mixed, 'anthropic', FRESH_PROMPTS)));
console.log(row('dev (was blind), A + O', evaluate(mixed, 'anthropic', labelled(BLIND_PROMPTS, 'dev'))));
console.log(row('dev2 (was blind, run once), A + O', evaluate(mixed, 'anthropic', labelled(BLIND_PROMPTS_2, 'dev2'))));
// Runs over the blind set are rationed (its figures must not become something to tune on): ROUTER_BENCH_BLIND=0 leaves it out.
if (process.env.ROUTER_BENCH_BLIND !== '0') {
  const blindSet = labelled(BLIND_PROMPTS_3, 'blind');
  console.log(row(`blind (${blindSet.length}, never read), A + O`, evaluate(mixed, 'anthropic', blindSet)));
  console.log(row('blind, Anthropic only', evaluate(new Router({ backends: () => ['anthropic'] }), 'anthropic', blindSet)));
} else console.log('blind set left out (ROUTER_BENCH_BLIND=0)');
console.log('hard→S: hard prompts on a medium or large model; easy→s: easy prompts on a small model; cost: of all-strongest.');
console.log('Local (Ollama) answers are priced at $0, as the price table does; "Anthropic only" prices the small tier at Haiku.');

// ---- Time per decision --------------------------------------------------------------------------------------
const histories = ROUTER_PROMPTS.map((p) => [{ id: p.id, role: 'user' as const, text: p.prompt, at: 0 }]);
const ROUNDS = 15;
const full: number[] = [];
const rulesOnly: number[] = [];
const tokensOnly: number[] = [];
const features = histories.map((h) => extractFeatures(h));
for (let round = 0; round < ROUNDS + 2; round++) {
  // The three measured side by side in each round, so drift on a shared machine hits all of them alike.
  let t = performance.now();
  for (const h of histories) mixed.route({ features: extractFeatures(h), home: 'anthropic' }, h[0].text);
  const a = (performance.now() - t) / histories.length;
  t = performance.now();
  for (let i = 0; i < histories.length; i++) mixed.route({ features: features[i], home: 'anthropic' }, histories[i][0].text);
  const b = (performance.now() - t) / histories.length;
  t = performance.now();
  for (const h of histories) estimateTokens(h);
  const c = (performance.now() - t) / histories.length;
  if (round < 2) continue; // warm-up
  full.push(a);
  rulesOnly.push(b);
  tokensOnly.push(c);
}
const [f, r, k] = [median(full), median(rulesOnly), median(tokensOnly)];
console.log(`\ntime per decision (median of ${ROUNDS} rounds over ${histories.length} prompts):`);
console.log(`  features + rules   ${fmt(f * 1000, 1)} µs`);
console.log(`  rules only         ${fmt(r * 1000, 1)} µs`);
console.log(`  token estimate     ${fmt(k * 1000, 1)} µs   (a decision costs ${fmt(f / k, 1)}x the token estimate alone)`);
