// Compression in the real extension host, configured through the real settings: a long conversation on the Anthropic
// API (the loopback fake) is compressed before it passes the trigger, the open chat loads the transcript again with
// the dropped messages marked and a "compressed:" note on the answer, the summary's tokens reach the ledger, and
// "Compress Now" compresses an idle instance at once.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import type { TestingHooks } from '../../../src/vscode/testing';
import type { HostMessage } from '../../../src/webview/chat/protocol';
import { extensionApi, startFakes, until, type Fakes } from './support';

describe('compression', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  let fakes: Fakes;
  const config = () => vscode.workspace.getConfiguration('llmFleet.compression');
  const settings: Record<string, unknown> = { maxContextTokens: 1000, keepTurns: 1, minSummaryChars: 10 };

  before(async () => {
    ({ api, hooks } = await extensionApi());
    fakes = await startFakes();
    await hooks.secrets.set('anthropic', 'sk-ant-integration');
    for (const [k, v] of Object.entries(settings)) await config().update(k, v, vscode.ConfigurationTarget.Global);
    await until('the compression stage to take the settings', () => hooks.compression.current.maxContextTokens === 1000 && hooks.compression.current.minSummaryChars === 10);
  });
  after(async () => {
    for (const k of Object.keys(settings)) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await api.killAll();
    await hooks.secrets.delete('anthropic');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fakes.close();
  });

  it('compresses a long conversation before it passes the trigger; the chat shows the marks; the ledger has the summary', async () => {
    await api.spawn('long', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    const posted: HostMessage[] = [];
    const panel = hooks.chats.open('long');
    panel.onDidPost((p) => posted.push(p.message));
    await until('the chat to load', () => posted.some((m) => m.type === 'didLoad'));
    const question = (i: number) => `Question ${i}: ${'tell me more about the configuration loader and its defaults. '.repeat(6)}`;
    for (let i = 1; i <= 8; i++) await api.ask('long', question(i));

    const summaries = fakes.anthropic.messageRequests().filter((r) => JSON.stringify(r.body.system ?? '').includes('You compress conversations'));
    assert.ok(summaries.length >= 1, 'the default summarizer (Claude Haiku) was asked');
    const last = fakes.anthropic.messageRequests().at(-1)!;
    const texts = (last.body.messages as Array<{ content: Array<{ text: string }> }>).map((m) => m.content[0].text);
    assert.match(texts[0], /^\[Summary of earlier messages/);
    assert.ok(texts.at(-1)!.includes('Question 8:'), 'the latest request is sent verbatim');

    const reload = posted.filter((m): m is Extract<HostMessage, { type: 'didLoad' }> => m.type === 'didLoad').at(-1)!;
    assert.ok(reload.messages.some((m) => m.compressedBy), 'the chat loaded the transcript again, marked');
    assert.ok(reload.messages.some((m) => m.compression?.mode === 'summary'));
    assert.ok(posted.some((m) => m.type === 'didNote' && /^compressed: \d+ earlier messages into a summary by anthropic\/claude-haiku-4-5/.test(m.text)));
    assert.equal(api.status('long').messageCount, 16, 'nothing left the transcript');

    await hooks.ledger.flush();
    const records = (await hooks.ledger.records(Date.now() - 60_000, Date.now() + 60_000)).filter((r) => r.instance === 'long' && r.reason === 'compression summary');
    assert.equal(records.length, summaries.length);
    assert.ok(records.every((r) => r.askId.endsWith(':summary') && r.usd !== undefined && r.usd > 0));
  });

  it('Compress Now compresses an idle instance at once', async () => {
    await config().update('maxContextTokens', 0, vscode.ConfigurationTarget.Global);
    await until('the stage to drop the cap', () => hooks.compression.current.maxContextTokens === 0);
    await api.spawn('short', { backend: 'anthropic', model: 'claude-haiku-4-5' });
    for (let i = 1; i <= 3; i++) await api.ask('short', `Short question ${i}?`);
    await vscode.commands.executeCommand('llmFleet.compressNow', { name: 'short' });
    const marked = hooks.fleet.get('short').transcript.filter((m) => m.compressedBy);
    assert.equal(marked.length, 2, 'the oldest turn (one turn and the latest are kept), still in the transcript');
  });
});
