// The health registry alone: a backend's states (healthy, cooling, open, half-open) as cockatiel's breaker and the
// Retry-After cooldowns move it, which failures count, a reset, and the words the health view shows for each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { BackendError } from '../../src/core/errors';
import { HealthRegistry } from '../../src/core/routing/health';
import { healthRow, healthSummary } from '../../src/vscode/health/healthItems';

const fail = (kind: ConstructorParameters<typeof BackendError>[0], hint?: string) => async () => {
  throw new BackendError(kind, `fake ${kind}`, hint ? { hint } : {});
};
const ok = async () => 'ok';
const attempt = (h: HealthRegistry, b: Parameters<HealthRegistry['state']>[0], fn: () => Promise<string>) => h.execute(b, fn, 'm').catch((e: unknown) => e);

describe('health registry', () => {
  it('a backend never seen is healthy and available', () => {
    const h = new HealthRegistry();
    assert.deepEqual(h.state('ollama'), { backend: 'ollama', state: 'healthy', consecutiveFailures: 0, recent: [] });
    assert.equal(h.isAvailable('ollama'), true);
  });

  it('opens after the threshold of failures in a row, refuses while open, probes when half-open, closes on success', async () => {
    const h = new HealthRegistry({ failureThreshold: 2, cooldownMs: 150 });
    await attempt(h, 'anthropic', fail('overloaded'));
    assert.equal(h.state('anthropic').state, 'healthy', 'one failure is below the threshold');
    await attempt(h, 'anthropic', fail('server'));
    const open = h.state('anthropic');
    assert.equal(open.state, 'open');
    assert.ok(open.until! > Date.now());
    let called = false;
    const refused = await attempt(h, 'anthropic', async () => ((called = true), 'x'));
    assert.equal(called, false, 'an open circuit does not call the backend');
    assert.ok(refused instanceof Error);
    await sleep(open.until! - Date.now() + 10);
    assert.equal(h.state('anthropic').state, 'half-open');
    assert.equal(h.isAvailable('anthropic'), true);
    assert.equal(await attempt(h, 'anthropic', ok), 'ok');
    assert.equal(h.state('anthropic').state, 'healthy');
    assert.equal(h.state('anthropic').consecutiveFailures, 0);
  });

  it('a failed probe opens the circuit again', async () => {
    const h = new HealthRegistry({ failureThreshold: 1, cooldownMs: 100 });
    await attempt(h, 'openai', fail('network'));
    await sleep(h.state('openai').until! - Date.now() + 10);
    assert.equal(h.state('openai').state, 'half-open');
    await attempt(h, 'openai', fail('network'));
    assert.equal(h.state('openai').state, 'open');
  });

  it('bad requests and cancels say nothing about the backend', async () => {
    const h = new HealthRegistry({ failureThreshold: 1 });
    await attempt(h, 'anthropic', fail('bad_request'));
    await attempt(h, 'anthropic', fail('cancelled'));
    await attempt(h, 'anthropic', fail('budget_exceeded'));
    assert.equal(h.state('anthropic').state, 'healthy');
    assert.equal(h.state('anthropic').recent.length, 0);
  });

  it('a Retry-After cooldown keeps the backend out until it ends', async () => {
    const h = new HealthRegistry();
    h.coolFor('anthropic', 120);
    const s = h.state('anthropic');
    assert.equal(s.state, 'cooling');
    assert.equal(h.isAvailable('anthropic'), false);
    await sleep(s.until! - Date.now() + 10);
    assert.equal(h.state('anthropic').state, 'healthy');
  });

  it('an auth failure isolates the backend at once, with the next step; reset brings it back', async () => {
    const h = new HealthRegistry({ failureThreshold: 5 });
    const changes: string[] = [];
    h.onDidChange((b) => changes.push(b));
    await attempt(h, 'anthropic', fail('auth'));
    const s = h.state('anthropic');
    assert.equal(s.state, 'open');
    assert.match(s.nextStep ?? '', /Set the Anthropic key/);
    assert.ok(changes.includes('anthropic'));
    h.reset('anthropic');
    assert.equal(h.state('anthropic').state, 'healthy');
    assert.equal(await attempt(h, 'anthropic', ok), 'ok');
  });

  it('outside a chain it records failures for the view but never refuses a call', async () => {
    const h = new HealthRegistry({ failureThreshold: 1 });
    for (let i = 0; i < 3; i++) await h.observe('anthropic', fail('auth'), 'm').catch(() => undefined);
    const s = h.state('anthropic');
    assert.equal(s.state, 'healthy');
    assert.equal(s.consecutiveFailures, 3);
    assert.match(s.nextStep ?? '', /Set the Anthropic key/);
    assert.equal(await h.observe('anthropic', ok), 'ok');
    assert.equal(h.state('anthropic').consecutiveFailures, 0);
  });

  it('keeps only the last few errors, newest last', async () => {
    const h = new HealthRegistry({ failureThreshold: 100, recentLimit: 2 });
    for (const k of ['server', 'timeout', 'network'] as const) await attempt(h, 'ollama', fail(k));
    assert.deepEqual(h.state('ollama').recent.map((e) => e.kind), ['timeout', 'network']);
    assert.match(h.state('ollama').nextStep ?? '', /Start Ollama/);
  });

  it('names only settings that exist in its next steps', async () => {
    const sections: Array<{ properties: object }> = JSON.parse(readFileSync('package.json', 'utf8')).contributes.configuration;
    const settings = sections.flatMap((c) => Object.keys(c.properties));
    const h = new HealthRegistry({ failureThreshold: 100 });
    const named: string[] = [];
    for (const k of ['timeout', 'rate_limited', 'network'] as const) {
      await attempt(h, 'anthropic', fail(k));
      named.push(...(h.state('anthropic').nextStep?.match(/llmFleet\.[\w.]+/g) ?? []));
    }
    assert.ok(named.length > 0);
    for (const n of named) assert.ok(settings.includes(n), `${n} is not a setting`);
  });
});

describe('health view text', () => {
  it('says the state, the time left, the recent errors and the next step', async () => {
    const h = new HealthRegistry({ failureThreshold: 1, cooldownMs: 30_000 });
    await attempt(h, 'ollama', fail('network'));
    const now = Date.now();
    const row = healthRow(h.state('ollama'), now);
    assert.match(row.label, /^\$\(error\) Ollama: out of the chains after 1 failure, (29|30) s left$/);
    assert.match(row.description ?? '', /Start Ollama/);
    assert.match(row.detail ?? '', /network \(m\): fake network/);
    const summary = healthSummary(h.all(['anthropic', 'ollama']), now);
    assert.match(summary?.text ?? '', /Ollama open (29|30)s/);
    assert.equal(healthSummary(new HealthRegistry().all(['anthropic']), now), undefined, 'nothing to say when all are healthy');
  });
});
