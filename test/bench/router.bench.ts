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
import { BLIND_PROMPTS_4 } from '../fixtures/routerPromptsBlind4';
import { PATHOLOGICAL } from '../fixtures/pathologicalPrompts';
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
  const blind4Set = labelled(BLIND_PROMPTS_4, 'blind4');
  console.log(row(`blind4 (${blind4Set.length}, never read), A + O`, evaluate(mixed, 'anthropic', blind4Set)));
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

// ---- Pathological input ------------------------------------------------------------------------------------------
// Shapes that once took 15 s to 111 s (test/fixtures/pathologicalPrompts.ts): each decision timed side by side, in
// the same round, with the token estimate of the same text (the yardstick extractFeatures computes on it anyway) and
// with a typical decision of the tuned set; the worst shape is printed against both.
const shapes = PATHOLOGICAL.map(([name, make]) => [name, [{ id: name, role: 'user' as const, text: make(), at: 0 }]] as const);
const SHAPE_ROUNDS = 5;
const perShape = shapes.map(() => ({ features: [] as number[], tokens: [] as number[] }));
const typical: number[] = [];
for (let round = 0; round < SHAPE_ROUNDS + 1; round++) {
  shapes.forEach(([, h], i) => {
    let t = performance.now();
    extractFeatures(h);
    const a = performance.now() - t;
    t = performance.now();
    for (let j = 0; j < 100; j++) estimateTokens(h);
    const b = (performance.now() - t) / 100;
    if (round === 0) return; // warm-up
    perShape[i].features.push(a);
    perShape[i].tokens.push(b);
  });
  const t = performance.now();
  for (const h of histories) extractFeatures(h);
  if (round > 0) typical.push((performance.now() - t) / histories.length);
}
const shapeRows = shapes.map(([name, h], i) => ({ name, chars: h[0].text.length, f: median(perShape[i].features), k: median(perShape[i].tokens) }));
console.log(`\npathological input (median of ${SHAPE_ROUNDS} rounds; features vs the token estimate of the same text):`);
for (const r of shapeRows) console.log(`  ${r.name.padEnd(34)} ${String(r.chars).padStart(9)} chars  ${fmt(r.f, 2).padStart(7)} ms   tokens ${fmt(r.k * 1000, 2).padStart(6)} µs`);
const worst = shapeRows.reduce((a, b) => (b.f > a.f ? b : a));
const typ = median(typical);
console.log(`  worst: ${worst.name}: ${fmt(worst.f, 2)} ms vs ${fmt(worst.k * 1000, 2)} µs for its token estimate (${fmt(worst.f / worst.k, 0)}x), ${fmt(worst.f / typ, 0)}x a typical decision's features (${fmt(typ * 1000, 1)} µs)`);
