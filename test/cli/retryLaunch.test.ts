// While a fallback chain is set, the CLI makes no retries of its own (CLAUDE_CODE_MAX_RETRIES=0, cliRetryEnv as
// the extension wires it). A process started before the chain was set, or after it was cleared, is restarted (idle,
// resumed) before its next turn, by the same launch fingerprint that carries `--max-budget-usd` (budgetBackstop).
//
// Measured with the pinned CLI 2.1.330 against the fake, CLAUDE_CODE_MAX_RETRIES=0, a 429 with `retry-after: 1`:
// - one request, then the `result` about 70 ms after it; exit code 1 for a one-shot process; stderr empty.
// - stdout: `system/init`, `{"type":"system","subtype":"status","status":"requesting"}`, then a synthetic assistant
//   (`"model":"<synthetic>"`, content "API Error: Request rejected (429) · fake rate limit", `"error":"rate_limit"`,
//   `"api_error_status":429`, `"api_error_type":"rate_limit_error"`), then
//   `{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"api_error_type":"rate_limit_error",
//   "terminal_reason":"api_error","result":"API Error: Request rejected (429) · fake rate limit",…}`.
// - no `api_retry` line (with retries left it prints `"subtype":"api_retry",…,"retry_delay_ms":1221,"error_status":429`).
// - the Retry-After is nowhere: not in stream-json, stderr, nor the `--debug` log (only "API error (attempt 1/1): 429
//   429 {…}"). ANTHROPIC_LOG=debug prints the response headers, `retry-after` included, but on stdout, which would
//   break stream-json. So our error is rate_limited with no retryAfterMs, and the chain moves on at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AnthropicBackend } from '../../src/core/backends/anthropic';
import { AskFailedError } from '../../src/core/instance';
import { cliRetryEnv, DEFAULT_FALLBACK, fallbackStage, type FallbackSettings } from '../../src/core/routing/fallback';
import { HealthRegistry } from '../../src/core/routing/health';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake, type AnthropicFake } from '../fixtures/anthropicFake';
import { cliRig, transcriptOf, type CliRig } from './helpers';

const HAIKU = 'claude-haiku-4-5';

/** The live CLI process of an instance: its pid, argv and environment, as the kernel has them. */
function processOf(rig: CliRig, name: string): { pid: number; argv: string[]; retries: string | undefined } {
  const pid = rig.backend.pidOf(name);
  assert.ok(pid !== undefined, `'${name}' has a live CLI process`);
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const retries = env.find((v) => v.startsWith('CLAUDE_CODE_MAX_RETRIES='))?.split('=')[1];
  return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean), retries };
}

const flag = (argv: readonly string[], name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const said = (body: unknown) => transcriptOf(body).filter((l) => !l.includes('<system-reminder>'));

/** A rig whose CLI env follows each instance's own chain, as Resilience.chainApplies does (the global chain aside). */
async function chainRig(extra: Parameters<typeof cliRig>[0] = {}): Promise<CliRig> {
  let rig: CliRig | undefined;
  const chainApplies = (name: string) => (rig?.fleet.has(name) ? (rig.fleet.get(name).spec.fallback?.length ?? 0) > 0 : false);
  // The rig's own default is one retry: it stands in for the CLI's default of 10, which takes minutes to give up.
  rig = await cliRig({ ...extra, backend: { ...extra.backend, envFor: (name) => cliRetryEnv(chainApplies(name)) } });
  return rig;
}

describe('the CLI retry setting follows the fallback chain', () => {
  let rig: CliRig;
  before(async () => {
    rig = await chainRig();
  });
  after(() => rig.close());

  it('a chain set later restarts the idle process with retries off, resumed; clearing it brings them back', async () => {
    rig.spawn('cc', { model: HAIKU });
    // Another instance's chain is its own business: it leaves this one's retries alone.
    rig.spawn('other', { model: HAIKU, fallback: [{ backend: 'anthropic', model: HAIKU }] });
    rig.fake.enqueue({ kind: 'reply', text: 'first' });
    assert.equal((await rig.fleet.ask('cc', 'one')).text, 'first');
    const p1 = processOf(rig, 'cc');
    assert.equal(p1.retries, '1', 'no chain: the CLI keeps its own retries');
    const session = rig.fleet.get('cc').sessionState?.sessionId;

    rig.fleet.setFallback('cc', [{ backend: 'anthropic', model: HAIKU }]);
    assert.equal(rig.backend.pidOf('cc'), p1.pid, 'setting a chain leaves the process alone until the next turn');
    rig.fake.enqueue({ kind: 'reply', text: 'second' });
    assert.equal((await rig.fleet.ask('cc', 'two')).text, 'second');
    const p2 = processOf(rig, 'cc');
    assert.notEqual(p2.pid, p1.pid, 'a new process');
    assert.equal(p2.retries, '0');
    assert.equal(flag(p2.argv, '--resume'), session);
    // The conversation went on across the restart: the resumed CLI sent the first turn too.
    assert.deepEqual(said(rig.fake.messageRequests().at(-1)!.body), ['user: one', 'assistant: first', 'user: two']);

    // The CLI itself proves it: a 500 is exactly one request, then the error (there is no fallback stage here).
    const before = rig.fake.messageRequests().length;
    rig.fake.enqueue({ kind: 'status', status: 500 });
    const failed = await rig.fleet.ask('cc', 'three').then(() => assert.fail('the 500 should fail the turn'), (e: unknown) => e as AskFailedError);
    assert.equal(failed.kind, 'server');
    assert.equal(rig.fake.messageRequests().length - before, 1, 'a retries-0 CLI asked again');
    assert.equal(rig.backend.pidOf('cc'), p2.pid, 'an API error leaves the process running (so only the clear below restarts it)');

    rig.fleet.setFallback('cc', []);
    rig.fake.enqueue({ kind: 'reply', text: 'fourth' });
    assert.equal((await rig.fleet.ask('cc', 'four')).text, 'fourth');
    const p3 = processOf(rig, 'cc');
    assert.notEqual(p3.pid, p2.pid);
    assert.equal(p3.retries, '1', 'the chain was cleared: retries are back');
    assert.equal(flag(p3.argv, '--resume'), session);

    // Back to one retry: a 500 once is retried by the CLI itself and the turn succeeds, on the same process.
    const before2 = rig.fake.messageRequests().length;
    rig.fake.enqueue({ kind: 'status', status: 500 }, { kind: 'reply', text: 'fifth' });
    assert.equal((await rig.fleet.ask('cc', 'five')).text, 'fifth');
    assert.equal(rig.fake.messageRequests().length - before2, 2);
    assert.equal(processOf(rig, 'cc').pid, p3.pid, 'an unchanged launch keeps the process');
    const spoken = said(rig.fake.messageRequests().at(-1)!.body).join('\n');
    for (const part of ['one', 'first', 'two', 'second', 'four', 'fourth', 'five']) assert.ok(spoken.includes(part), `the CLI lost '${part}':\n${spoken}`);
  });

  it('follows a renamed instance: its own chain still turns the CLI retries off under the new name', async () => {
    rig.spawn('before', { model: HAIKU, fallback: [{ backend: 'anthropic', model: 'claude-sonnet-4-5' }] });
    rig.fleet.rename('before', 'after');
    rig.fake.enqueue({ kind: 'reply', text: 'renamed' });
    assert.equal((await rig.fleet.ask('after', 'hello')).text, 'renamed');
    // The session keeps the name it opened with (pidOf reads that); the environment follows the instance's name now.
    assert.equal(processOf(rig, 'before').retries, '0', 'the chain was looked up under the old name');
  });
});

describe('a 429 with Retry-After from a retries-0 CLI', () => {
  let rig: CliRig;
  let api: AnthropicFake;
  const health = new HealthRegistry({ failureThreshold: 10 });
  const settings: FallbackSettings = { ...DEFAULT_FALLBACK, maxRetryWaitMs: 5000 };
  before(async () => {
    api = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
    rig = await chainRig({
      extraBackends: () => [new AnthropicBackend({ getApiKey: async () => FAKE_ANTHROPIC_KEY, baseURL: api.url, maxRetries: 0 })],
      fleet: { stages: [fallbackStage({ health, settings: () => settings })] },
    });
  });
  after(async () => {
    await rig.close();
    await api.close();
  });

  it('is rate_limited with no retryAfterMs (the CLI does not show it), and the chain moves on at once', async () => {
    rig.spawn('r', { model: HAIKU, fallback: [{ backend: 'anthropic', model: HAIKU }] });
    const before = rig.fake.messageRequests().length;
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '1', message: 'fake rate limit' });
    api.enqueue({ kind: 'reply', text: 'from the API' });
    const notes: string[] = [];
    const sub = rig.fleet.onDidTurnEvent((e) => e.name === 'r' && e.event.type === 'note' && notes.push(e.event.text));
    const answer = await rig.fleet.ask('r', 'limited');
    sub.dispose();
    assert.equal(processOf(rig, 'r').retries, '0');
    assert.equal(rig.fake.messageRequests().length - before, 1, 'one request: the CLI did not wait and retry');
    assert.equal(answer.backend, 'anthropic');
    assert.equal(answer.text, 'from the API');
    assert.deepEqual(answer.attempts?.map((a) => [a.backend, a.error?.kind ?? 'ok']), [['claudeCode', 'rate_limited'], ['anthropic', 'ok']]);
    assert.equal(answer.attempts?.[0].error?.message, 'Rate limited (via Claude Code): API Error: Request rejected (429) · fake rate limit');
    assert.ok(!notes.some((n) => /Retry-After/.test(n)), `no known wait, so no wait: ${JSON.stringify(notes)}`);
    assert.notEqual(health.state('claudeCode').state, 'cooling', 'nor a made-up cooldown');
  });

  it('the error itself, on an instance whose chain has nowhere else to go', async () => {
    rig.spawn('only', { model: HAIKU, fallback: [{ backend: 'claudeCode', model: HAIKU }] });
    rig.fake.enqueue({ kind: 'status', status: 429, retryAfter: '1', message: 'fake rate limit' });
    const e = await rig.fleet.ask('only', 'limited').then(() => assert.fail('rate limited'), (x: unknown) => x as AskFailedError);
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterMs, undefined, 'the CLI showed no Retry-After, so none is made up');
    assert.match(e.message, /^Rate limited \(via Claude Code\): API Error: Request rejected \(429\) · fake rate limit$/);
    assert.equal(e.hint, 'Wait and retry, or use another backend.');
  });
});
