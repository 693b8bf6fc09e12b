// The router stage in a Fleet with the loopback fakes, wired as the extension wires it (router first, then the
// ledger): an auto instance is routed and the choice explained in the note, the attempt and the ledger record;
// policies change the choice; an unavailable backend is skipped; a prompt too large for the small model's window
// goes to a larger one; offline uses only Ollama; a budget moves a choice down; bad rules are reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerStage } from '../../src/core/cost/ledger';
import { BackendError } from '../../src/core/errors';
import type { TurnNotice } from '../../src/core/fleetTypes';
import { AskFailedError } from '../../src/core/instance';
import type { BackendKind } from '../../src/core/kinds';
import { extractFeatures } from '../../src/core/routing/features';
import { AUTO_MODEL, Router, type RouterOptions } from '../../src/core/routing/router';
import { DEFAULT_RULES, parseRouterSettings, type RouterPolicy } from '../../src/core/routing/routerRules';
import type { TurnAttempt } from '../../src/core/transcript';
import { withLedgerRig } from './ledgerRig';
import type { MixedFleetRig } from './mixedRig';

let r: MixedFleetRig | undefined;
const start = withLedgerRig('llm-fleet-router-');

const EASY = 'What is the capital of Australia?';
const HARD = 'This worker pool deadlocks when more than one job fails. Explain exactly why, and rewrite it so the first error cancels the others.';

function route(prompt: string, policy: RouterPolicy, options: RouterOptions = {}, home: BackendKind = 'anthropic') {
  const router = new Router({ backends: () => ['anthropic', 'ollama'], ...options, settings: { policy, rules: DEFAULT_RULES } });
  return router.route({ features: extractFeatures([{ id: 'u', role: 'user', text: prompt, at: 0 }]), home }, prompt);
}

async function fleetWith(options: RouterOptions) {
  const router = new Router({ backends: () => ['anthropic', 'ollama'], ...options });
  const l = await start({ stages: ({ ledger }) => [router.stage, ledgerStage(ledger)] });
  r = l.rig;
  const attempts: TurnAttempt[] = [];
  r.fleet.onDidTurnEvent((e: TurnNotice) => e.event.type === 'attempt' && attempts.push(e.event.attempt));
  return { ...l, router, attempts };
}

describe('router stage', () => {
  it('routes an auto instance and explains the choice in the note, the attempt and the ledger record', async () => {
    const { notes, attempts, rows } = await fleetWith({});
    r!.fleet.spawn('auto1', { backend: 'anthropic', model: AUTO_MODEL });
    const answer = await r!.fleet.ask('auto1', EASY);
    assert.equal(answer.backend, 'ollama');
    assert.equal(r!.ollama.chatRequests().at(-1)?.body.model, 'qwen2.5:7b');
    assert.equal(r!.anthropic.messageRequests().length, 0);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^→ qwen2\.5:7b \(Ollama\): short lookup \(a short factual question\), \d+ tokens, policy cost-first, rule "clearly easy"$/);
    assert.deepEqual(attempts.map((a) => [a.backend, a.model, a.reason]), [['ollama', 'qwen2.5:7b', notes[0]]]);
    const records = await rows();
    assert.equal(records.length, 1);
    assert.equal(records[0].reason, notes[0]);
    assert.equal(records[0].backend, 'ollama');
  });

  it('sends a hard request from an auto instance to a strong model, seen by the Anthropic fake', async () => {
    const { notes } = await fleetWith({});
    r!.fleet.spawn('auto2', { backend: 'ollama', model: AUTO_MODEL });
    const answer = await r!.fleet.ask('auto2', HARD);
    assert.equal(answer.backend, 'anthropic');
    assert.equal(r!.anthropic.messageRequests().at(-1)?.body.model, 'claude-sonnet-5');
    assert.match(notes[0], /^→ claude-sonnet-5 \(Anthropic API\): hard coding \(an explanation asked for, debugging a subtle fault\), \d+ tokens, policy cost-first, rule "hard request"$/);
  });

  it('leaves an instance with a fixed model alone: no note, no reason', async () => {
    const { notes, attempts } = await fleetWith({});
    r!.fleet.spawn('fixed', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    await r!.fleet.ask('fixed', HARD);
    assert.equal(notes.length, 0);
    assert.deepEqual(attempts.map((a) => [a.model, a.reason]), [['claude-haiku-4-5', undefined]]);
  });

  it('changes its choice with the policy', () => {
    const pick = (prompt: string, policy: RouterPolicy) => route(prompt, policy).target.model;
    assert.deepEqual(
      (['cost-first', 'quality-first', 'local-first', 'offline'] as const).map((p) => [p, pick(EASY, p), pick(HARD, p)]),
      [
        ['cost-first', 'qwen2.5:7b', 'claude-sonnet-5'],
        ['quality-first', 'claude-sonnet-5', 'claude-opus-5'],
        ['local-first', 'qwen2.5:7b', 'qwen2.5:7b'],
        ['offline', 'qwen2.5:7b', 'qwen2.5:7b'],
      ],
    );
    assert.match(route(HARD, 'offline').explanation, /no medium-tier model available, so small/);
  });

  it('skips an unavailable backend and says so', () => {
    const d = route(EASY, 'cost-first', { isAvailable: (b) => b !== 'ollama' });
    assert.deepEqual(d.target, { backend: 'anthropic', model: 'claude-haiku-4-5' });
    assert.match(d.explanation, /; Ollama unavailable$/);
    // Not set up here at all (detection found no Claude Code): never chosen, even as the home backend.
    const home = route(EASY, 'quality-first', { backends: () => ['anthropic'] }, 'claudeCode');
    assert.equal(home.target.backend, 'anthropic');
  });

  it('sends a request with no clear easy sign to a medium model, and one with five signs of a hard one to the large', () => {
    const unclear = route('Tell me about the Hanseatic League.', 'cost-first');
    assert.deepEqual([unclear.tier, unclear.rule], ['medium', 'not clearly easy']);
    assert.match(unclear.explanation, /^→ claude-sonnet-5 \(Anthropic API\): short lookup, no clear easy sign, \d+ tokens, policy cost-first, rule "not clearly easy"$/);
    const heavy = route('Design a distributed rate limiter, prove its invariants, explain why it stays correct under concurrent updates, and compare it with a token bucket.', 'cost-first');
    assert.deepEqual([heavy.tier, heavy.target.model, heavy.rule], ['large', 'claude-opus-5', 'clearly hard']);
    assert.ok(heavy.features.signals.length >= 5, heavy.features.signals.join('; '));
    assert.match(heavy.explanation, /: hard \w+ \(a proof or derivation, .+ and \d+ more\), /);
  });

  it('sends a prompt too large for the small model’s window to a model with a larger one', () => {
    const pasted = `Summarize this in one line:\n${'The quarterly figures were in line with the forecast and nothing unusual happened. '.repeat(1800)}`;
    const f = extractFeatures([{ id: 'u', role: 'user', text: pasted, at: 0 }]);
    assert.ok(f.tokens > 32768, `${f.tokens} tokens`);
    // The shipped rules send a text this long to a medium model anyway (it is no short text): a rule asks for small.
    assert.equal(route(pasted, 'cost-first').tier, 'medium');
    const router = new Router({ backends: () => ['anthropic', 'ollama'], settings: { policy: 'cost-first', rules: [{ name: 'all small', when: {}, use: { tier: 'small' } }] } });
    const d = router.route({ features: f, home: 'anthropic' }, pasted);
    assert.deepEqual(d.target, { backend: 'anthropic', model: 'claude-haiku-4-5' });
    assert.match(d.explanation, /qwen2\.5:7b on Ollama: [\d,]+ tokens and a reply exceed its 32,768-token window/);
  });

  it('offline uses only Ollama, and refuses with what to do when Ollama is down', async () => {
    assert.equal(route(HARD, 'offline').target.backend, 'ollama');
    assert.throws(
      () => route(EASY, 'offline', { isAvailable: (b) => b !== 'ollama' }),
      (e: unknown) => e instanceof BackendError && e.kind === 'bad_request' && /Policy offline allows only Ollama/.test(e.message) && /Start Ollama/.test(e.hint ?? ''),
    );
    const { rows } = await fleetWith({ settings: { policy: 'offline', rules: DEFAULT_RULES }, isAvailable: (b) => b !== 'ollama' });
    r!.fleet.spawn('off', { backend: 'anthropic', model: AUTO_MODEL });
    await assert.rejects(r!.fleet.ask('off', EASY), (e: unknown) => e instanceof AskFailedError && e.kind === 'bad_request' && /router found no model/.test(e.message));
    assert.equal(r!.anthropic.messageRequests().length, 0);
    assert.equal(r!.ollama.chatRequests().filter((x) => x.path === '/api/chat').length, 0);
    assert.deepEqual((await rows()).length, 0); // refused before the ledger stage: nothing was tried
  });

  it('moves a choice down when the budget left cannot pay for it', () => {
    const d = route(HARD, 'cost-first', { backends: () => ['anthropic'] }, 'anthropic');
    assert.equal(d.target.model, 'claude-sonnet-5');
    const router = new Router({ backends: () => ['anthropic'] });
    const tight = router.route({ features: d.features, home: 'anthropic', budgetLeft: (d.estimatedUsd ?? 0) / 2 }, HARD);
    assert.equal(tight.target.model, 'claude-haiku-4-5');
    assert.match(tight.explanation, /budget: \$[\d.]+ left, claude-sonnet-5 ~ \$[\d.]+/);
  });

  it('follows a user rule before the shipped ones, and the role', () => {
    const { rules, problems } = parseRouterSettings({ rules: [{ name: 'sql to local', when: { kind: 'coding', matches: '\\bSQL\\b' }, use: { backend: 'ollama', model: 'llama3.2:3b', window: 131072 } }] });
    assert.deepEqual(problems, []);
    const router = new Router({ backends: () => ['anthropic', 'ollama'], settings: { policy: 'cost-first', rules } });
    const sql = 'Write a SQL query for the ten newest orders';
    const d = router.route({ features: extractFeatures([{ id: 'u', role: 'user', text: sql, at: 0 }]), home: 'anthropic' }, sql);
    assert.deepEqual([d.target.model, d.rule], ['llama3.2:3b', 'sql to local']);
    const orchestrator = router.route({ features: extractFeatures([{ id: 'u', role: 'user', text: EASY, at: 0 }], { role: 'orchestrator' }), home: 'anthropic' }, EASY);
    assert.deepEqual([orchestrator.target.model, orchestrator.rule], ['claude-sonnet-5', 'orchestration']);
    assert.match(orchestrator.explanation, /short lookup \(a short factual question\), role orchestrator/);
  });

  it("reads a user rule's pattern over the same window as the signs: the start and end of a huge paste, not its middle", () => {
    const { rules } = parseRouterSettings({ rules: [{ name: 'sql to local', when: { matches: '\\bSQL\\b' }, use: { backend: 'ollama', model: 'llama3.2:3b' } }] });
    const router = new Router({ backends: () => ['anthropic', 'ollama'], settings: { policy: 'cost-first', rules } });
    const filler = 'log line without the word\n'.repeat(2_000);
    const at = (text: string) => router.route({ features: extractFeatures([{ id: 'u', role: 'user', text, at: 0 }]), home: 'anthropic' }, text).rule;
    assert.equal(at(`Fix this SQL:\n${filler}`), 'sql to local');
    assert.equal(at(`${filler}Which SQL dialect is this?`), 'sql to local');
    assert.notEqual(at(`${filler}SQL\n${filler}`), 'sql to local');
  });
});

describe('router settings', () => {
  it('reports bad rules clearly and uses the shipped rules', () => {
    const bad = parseRouterSettings({
      policy: 'cheapest',
      rules: [
        { when: { kind: 'lookup' }, use: { tier: 'small' } },
        { name: 'typo', when: { knd: 'coding' }, use: { tier: 'large' } },
        { when: {}, use: { tier: 'huge' } },
        { when: { minTokens: -1 }, use: { backend: 'bard', model: 'x' } },
        { when: { matches: '(' }, use: { backend: 'ollama', model: 'qwen2.5:7b' } },
        'route everything to opus',
      ],
    });
    assert.equal(bad.policy, 'cost-first');
    assert.equal(bad.rules, DEFAULT_RULES);
    assert.equal(bad.userRules, 0);
    assert.deepEqual(bad.problems.map((p) => p.replace(/ Your rules are ignored.*$/, '')), [
      'llmFleet.router.policy "cheapest" is not one of cost-first, quality-first, local-first, offline; cost-first is used until it is fixed.',
      'llmFleet.router.rules[1] ("typo"): "when" has an unknown feature "knd"; the features are kind, code, complex, simple, minSignals, role, policy, minTokens, maxTokens, matches.',
      'llmFleet.router.rules[2]: "tier" "huge" is not one of small, medium, large.',
      'llmFleet.router.rules[3]: "minTokens" must be a number of tokens (0 or more), not -1.',
      'llmFleet.router.rules[4]: "matches" is not a valid regular expression: Invalid regular expression: /(/i: Unterminated group.',
      'llmFleet.router.rules[5]: a rule must be an object {"when": {...}, "use": {...}}, not "route everything to opus".',
    ]);
    assert.ok(bad.problems.slice(1).every((p) => p.endsWith('Your rules are ignored and the shipped rules used until it is fixed.')));
    const notList = parseRouterSettings({ rules: { when: {} } });
    assert.match(notList.problems[0], /^llmFleet\.router\.rules must be a list of rules/);
    assert.equal(notList.rules, DEFAULT_RULES);
  });

  it('takes good rules ahead of the shipped ones, and every shipped rule passes its own check', () => {
    const good = parseRouterSettings({ policy: 'local-first', rules: [{ when: { kind: ['lookup', 'writing'], maxTokens: 500 }, use: { tier: 'small' } }] });
    assert.deepEqual([good.policy, good.userRules, good.rules.length, good.problems], ['local-first', 1, DEFAULT_RULES.length + 1, []]);
    assert.deepEqual(parseRouterSettings({ rules: DEFAULT_RULES }).problems, []);
    assert.match(parseRouterSettings({ rules: [{ when: { minSignals: 0 }, use: { tier: 'large' } }] }).problems[0], /"minSignals" must be a whole number of signs \(1 or more\), not 0/);
    assert.match(parseRouterSettings({ rules: [{ when: { simple: 'yes' }, use: { tier: 'small' } }] }).problems[0], /"simple" must be true or false, not "yes"/);
    // No `when`: every request, ahead of the shipped rules.
    const always = parseRouterSettings({ rules: [{ name: 'always large', use: { tier: 'large' } }] });
    const router = new Router({ backends: () => ['anthropic'], settings: always });
    assert.equal(router.route({ features: extractFeatures([{ id: 'u', role: 'user', text: EASY, at: 0 }]), home: 'anthropic' }, EASY).target.model, 'claude-opus-5');
  });
});
