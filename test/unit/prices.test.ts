// The price table (src/core/cost/prices.ts) over the packaged list (@pydantic/genai-prices), under the user's
// settings: hand-computed figures, every price traced to a source and a date, unknown models unpriced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { priceRequest } from '../../src/core/cost/cost';
import { GENAI_PRICES_DATE, GENAI_PRICES_VERSION, sameModel } from '../../src/core/cost/priceLibrary';
import { parsePriceOverrides } from '../../src/core/cost/priceOverrides';
import { pricesReport, seenModels } from '../../src/core/cost/priceReport';
import { ANTHROPIC_PRICES, findPrice, PRICE_TABLE, quotePrice } from '../../src/core/cost/prices';
import { emptyUsage, type Usage } from '../../src/core/cost/usage';
import { Fleet } from '../../src/core/fleet';
import type { AssistantMessage } from '../../src/core/transcript';

const root = join(__dirname, '../..');
const ctx = { table: PRICE_TABLE };
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
/** 1,000 in, 500 out, 2,000 written for 5 minutes, 4,000 for an hour, 10,000 read from the cache. */
const MIXED = usage({ input: 1_000, output: 500, cacheWrite5m: 2_000, cacheWrite1h: 4_000, cacheRead: 10_000 });
const close = (a: number | undefined, b: number, what = '') => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${what} ${a} ≠ ${b}`);

describe('prices of Anthropic’s models, cache writes and reads included', () => {
  it('prices claude-haiku-4-5, sonnet 4.6 and opus 4.x from our table, traced to its source and date', () => {
    // Haiku 4.5: 1000×$1 + 500×$5 + 2000×$1.25 + 4000×$2 + 10000×$0.10 = $15,000 per million = $0.015.
    const haiku = priceRequest(MIXED, 'claude-haiku-4-5-20251001', ctx);
    close(haiku.usd, 0.015, 'haiku');
    assert.deepEqual([haiku.basis, haiku.priceVersion], ['table', PRICE_TABLE.version]);
    assert.match(haiku.priceSource ?? '', /pricing page.*checked 2026-11-24/);
    // Sonnet 4.6: 3000 + 7500 + 7500 + 24000 + 3000 = $0.045.
    close(priceRequest(MIXED, 'claude-sonnet-4-6', ctx).usd, 0.045, 'sonnet 4.6');
    // Opus 4.7: 5000 + 12500 + 12500 + 40000 + 5000 = $0.075; Opus 4.1 at three times that.
    close(priceRequest(MIXED, 'claude-opus-4-7', ctx).usd, 0.075, 'opus 4.7');
    close(priceRequest(MIXED, 'claude-opus-4-1', ctx).usd, 0.225, 'opus 4.1');
    assert.equal(ANTHROPIC_PRICES, PRICE_TABLE, 'the Fleet’s default table is this one');
  });

  it('takes claude-opus-5-5 from the packaged list, and prices no 5-5 model as an older one', () => {
    const opus = quotePrice(PRICE_TABLE, 'claude-opus-5-5');
    assert.deepEqual(opus?.price, { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 });
    assert.deepEqual([opus?.version, opus?.checked], [`genai-prices ${GENAI_PRICES_VERSION}`, GENAI_PRICES_DATE]);
    // 4000 + 10000 + 10000 + 32000 + 2000 = $0.058.
    close(priceRequest(MIXED, 'claude-opus-5-5', ctx).usd, 0.058, 'opus 5.5');
    // The library's own prefix match answers claude-sonnet-5 for claude-sonnet-5-5; we refuse it.
    assert.equal(findPrice(PRICE_TABLE, 'claude-sonnet-5-5'), undefined);
    assert.equal(findPrice(PRICE_TABLE, 'claude-haiku-5-5'), undefined);
    const cli = priceRequest({ ...MIXED, model: 'claude-sonnet-5-5', reportedCostUsd: 0.02 }, 'sonnet', ctx);
    assert.deepEqual([cli.basis, cli.usd], ['reported', 0.02], 'the CLI’s own figure, labelled as such');
  });

  it('refuses a library match that is an older version of the model asked for, keeps dates and listed variants', () => {
    assert.equal(sameModel('claude-sonnet-5-5', 'claude-sonnet-5'), false);
    assert.equal(sameModel('gpt-4.1', 'gpt-4'), false);
    assert.equal(sameModel('gpt-4o-2024-08-06', 'gpt-4o'), true);
    assert.equal(sameModel('gpt-4-0613', 'gpt-4'), true);
    assert.equal(sameModel('gpt-5.1-codex', 'gpt-5.1'), true);
    assert.equal(sameModel('claude-sonnet-4-20250514', 'claude-sonnet-4-0'), true);
  });
});

describe('OpenAI’s models, from the packaged list', () => {
  it('prices gpt-4o with cached input, through the Fleet, traced to the library', () => {
    // gpt-4o: $2.50 in, $1.25 cached, $10 out. 1000×2.5 + 4000×1.25 + 500×10 = $12,500 per million.
    const fleet = new Fleet({ backends: [] });
    const c = fleet.price('openai', usage({ input: 1_000, cacheRead: 4_000, output: 500, model: 'gpt-4o-2024-08-06' }), 'gpt-4o');
    close(c.usd, 0.0125, 'gpt-4o');
    assert.deepEqual([c.basis, c.priceVersion], ['table', 'genai-prices 0.1.8']);
    assert.match(c.priceSource ?? '', /@pydantic\/genai-prices 0\.1\.8: OpenAI .*checked 2026-09-23/);
    // OpenAI gives no cache-write rate (writing its cache costs nothing extra): billed as input, marked as not given.
    assert.deepEqual(findPrice(PRICE_TABLE, 'gpt-4o')?.missing, ['cacheWrite5m', 'cacheWrite1h']);
    fleet.dispose();
  });

  it('lets a price from the settings win over the table and the library', () => {
    const { overrides } = parsePriceOverrides({ 'gpt-4o': { input: 1, output: 2, cachedInput: 0.5 } });
    const fleet = new Fleet({ backends: [], pricing: { overrides } });
    const c = fleet.price('openai', usage({ input: 1_000_000, cacheRead: 1_000_000, output: 1_000_000, model: 'gpt-4o' }), 'gpt-4o');
    assert.deepEqual([c.basis, c.usd], ['override', 3.5]);
    fleet.dispose();
  });

  it('leaves an unknown model unpriced, never $0, and open-weights models to the user', () => {
    for (const model of ['my-local-llama', 'gpt-oss-20b', 'qwen2.5:7b']) {
      const c = priceRequest(usage({ input: 500, output: 5 }), model, ctx);
      assert.deepEqual([c.basis, c.usd], ['unpriced', undefined], model);
    }
  });

  it('pins both libraries exactly, and names the version it reads', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.dependencies['@pydantic/genai-prices'], GENAI_PRICES_VERSION);
    assert.match(pkg.dependencies['gpt-tokenizer'], /^\d+\.\d+\.\d+$/);
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8'));
    assert.equal(installed.version, GENAI_PRICES_VERSION);
  });
});

describe('Show Prices', () => {
  const answer = (backend: AssistantMessage['backend'], model: string, cost: AssistantMessage['cost']): AssistantMessage => ({ id: `${backend}-${model}`, role: 'assistant', text: 'ok', at: 0, status: 'complete', model, backend, latencyMs: 1, cost });

  it('lists the prices in force with source and date, and the models seen in transcripts that have none', () => {
    const { overrides } = parsePriceOverrides({ 'lm-studio-model': { input: 0.2, output: 0.4 } });
    const fleet = new Fleet({ backends: [], pricing: { overrides } });
    const transcripts = [
      [answer('claudeCode', 'claude-haiku-5-5', { basis: 'reported', usd: 0.01, reportedUsd: 0.01 }), answer('claudeCode', 'claude-haiku-5-5', { basis: 'reported', usd: 0.01 })],
      [answer('openai', 'local-model', { basis: 'unpriced' }), answer('openai', 'lm-studio-model', { basis: 'override', usd: 0 }), answer('ollama', 'qwen2.5:7b', { basis: 'local', usd: 0 })],
      [answer('anthropic', 'claude-haiku-4-5', { basis: 'table', usd: 0.001 })],
    ];
    const seen = seenModels(transcripts, (b, m) => fleet.price(b, emptyUsage(), m).basis);
    assert.deepEqual(seen.filter((s) => s.basis === 'unpriced').map((s) => [s.backend, s.model, s.answers, s.reported]), [['claudeCode', 'claude-haiku-5-5', 2, true], ['openai', 'local-model', 1, false]]);
    const md = pricesReport({ table: PRICE_TABLE, overrides, problems: [], seen });
    assert.match(md, /\| claudeCode \| claude-haiku-5-5 \| 2 \| the backend’s own figure, labelled reported \|/);
    assert.match(md, /\| openai \| local-model \| 1 \| unpriced \|/);
    assert.ok(!/\| ollama \| qwen/.test(md), 'a local model has its price: $0');
    assert.match(md, /\| lm-studio-model \| \$0\.2 \| \$0\.4 \| \$0\.2 \| \$0\.2 \| \$0\.2 \| your setting/);
    assert.match(md, /\| claude-haiku-4-5 \| \$1 \| \$5 \| \$1\.25 \| \$2 \| \$0\.1 \| Anthropic's pricing page [^|]+ \| 2026-11-24 \|/);
    assert.match(md, /\| gpt-4o \| \$2\.5 \| \$10 \| \$2\.5\\\* \| \$2\.5\\\* \| \$1\.25 \| @pydantic\/genai-prices 0\.1\.8: OpenAI [^|]+ \| 2026-09-23 \|/);
    assert.match(md, /\| claude-opus-5-5 \| \$4 \| \$20 \| \$5 \| \$8 \| \$0\.2 \|/);
    assert.equal((md.match(/^\| claude-haiku-4-5 \|/gm) ?? []).length, 1, 'a model in our table is listed once, with our figure');
    fleet.dispose();
  });
});
