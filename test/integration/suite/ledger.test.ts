// The usage ledger in the real extension host: every answer becomes a record in the extension's global storage.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL, startFakes, type Fakes } from './support';

describe('the usage ledger', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
  });
  after(async () => {
    await api.killAll();
    await fakes.close();
  });

  it('records each answer with its instance, tree, backend, model and tokens, in globalStorage/ledger', async () => {
    api.spawn('booked', { backend: 'ollama', model: OLLAMA_MODEL });
    fakes.ollama.enqueue({ kind: 'reply', deltas: ['a ', 'b'], promptEvalCount: 12, evalCount: 2 });
    const answer = await api.ask('booked', 'count me');
    await api.fork('booked', 'booked-fork');
    fakes.ollama.enqueue({ kind: 'reply', deltas: ['c'], promptEvalCount: 20, evalCount: 1 });
    await api.ask('booked-fork', 'and me');
    await hooks.ledger.flush();

    const dir = join(hooks.storageRoots.global, 'ledger');
    assert.ok(existsSync(dir) && readdirSync(dir).some((f) => /^ledger-\d{4}-\d{2}\.jsonl$/.test(f)), `a monthly ledger file in ${dir}`);
    const records = (await hooks.ledger.records(answer.at - 60_000, Date.now() + 60_000)).filter((r) => r.instance.startsWith('booked'));
    assert.deepEqual(
      records.map((r) => [r.instance, r.tree, r.backend, r.model, r.input, r.output, r.outcome, r.usd]),
      [
        ['booked', 'booked', 'ollama', OLLAMA_MODEL, 12, 2, 'ok', 0],
        ['booked-fork', 'booked', 'ollama', OLLAMA_MODEL, 20, 1, 'ok', 0],
      ],
    );
  });
});
