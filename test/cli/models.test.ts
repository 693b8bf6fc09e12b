import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliRig, type CliRig } from './helpers';

describe('models and prompt weight with the real CLI', () => {
  let rig: CliRig;
  before(async () => {
    rig = await cliRig();
  });
  after(() => rig.close());

  const lastRequest = () => rig.fake.messageRequests().at(-1)!;

  it('resolves haiku, sonnet and opus through the CLI, and shows the model it reports, not the alias', async () => {
    for (const alias of ['haiku', 'sonnet', 'opus']) {
      rig.spawn(alias, { model: alias });
      await rig.fleet.ask(alias, 'Which model are you?');
      const sent = lastRequest().body.model as string;
      // Pinned CLI 2.1.330 maps the aliases to the 5.5 family.
      assert.equal(sent, `claude-${alias}-5-5`);
      const info = rig.fleet.status(alias);
      assert.equal(info.model, sent, 'the reported model');
      assert.equal(info.requestedModel, alias, 'the alias asked for is kept');
    }
  });

  it('passes a full model id through unchanged', async () => {
    rig.spawn('pinned', { model: 'claude-sonnet-4-5-20250929' });
    await rig.fleet.ask('pinned', 'hello');
    assert.equal(lastRequest().body.model, 'claude-sonnet-4-5-20250929');
    assert.equal(rig.fleet.status('pinned').model, 'claude-sonnet-4-5-20250929');
  });

  it('passes an unknown name through and surfaces the CLI’s warning', async () => {
    const warnings: string[] = [];
    const sub = rig.fleet.onDidChangeInstance((e) => e.name === 'custom' && e.warning && warnings.push(e.warning));
    rig.spawn('custom', { model: 'my-custom-model' });
    const answer = await rig.fleet.ask('custom', 'hello');
    sub.dispose();
    assert.match(answer.text, /^FAKE-REPLY/);
    assert.equal(lastRequest().body.model, 'my-custom-model');
    assert.ok(warnings.some((w) => /does not recognize the model 'my-custom-model'/.test(w)), `warnings: ${warnings.join(' | ')}`);
  });

  it('runs a lean worker or gateway under 1k input tokens, against ~12.8k for a default instance', async () => {
    const inputTokens = async (name: string) => {
      await rig.fleet.ask(name, 'Summarize: the build is green.');
      return rig.fleet.status(name).usage.input;
    };
    rig.spawn('full', { role: 'worker' });
    rig.spawn('lean-worker', { role: 'worker', systemPrompt: 'Answer in one line.', options: { lean: true } });
    rig.spawn('gateway', { role: 'gateway', systemPrompt: 'Extract the facts.' });
    const full = await inputTokens('full');
    const lean = await inputTokens('lean-worker');
    const gateway = await inputTokens('gateway');
    console.log(`input tokens per request: default ${full}, lean worker ${lean}, gateway (lean by default) ${gateway}`);
    assert.ok(full > 10_000, `a default request carries Claude Code's whole prompt (${full})`);
    assert.ok(lean < 1000 && gateway < 1000, `lean requests stay under 1k (${lean}, ${gateway})`);
    const body = lastRequest().body;
    assert.equal(body.tools?.length ?? 0, 0, 'no tools in lean mode');
    assert.ok(JSON.stringify(body.system).includes('Extract the facts.'), 'the instance’s own system prompt is sent');
  });
});
