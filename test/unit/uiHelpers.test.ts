import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceInfo } from '../../src/core/instanceInfo';
import { parseWebviewMessage } from '../../src/webview/chat/protocol';
import { parseCompareMessage } from '../../src/webview/compare/protocol';
import { costLabel, describeInstance, escapeMarkdown, iconFor, tooltipMarkdown } from '../../src/vscode/presentation';
import { selectionPrompt } from '../../src/vscode/selectionPrompt';

const info = (over: Partial<InstanceInfo> = {}): InstanceInfo => ({
  name: 'alpha',
  backend: 'anthropic',
  model: 'claude-haiku-4-5',
  requestedModel: 'claude-haiku-4-5',
  role: 'general',
  status: 'idle',
  usage: { input: 1200, output: 300, cacheRead: 50_000, cacheWrite5m: 2000, cacheWrite1h: 0 },
  cost: { usd: 0.0123, unpricedRequests: 0 },
  messageCount: 4,
  queued: 0,
  createdAt: 0,
  ...over,
});

describe('tree presentation', () => {
  it('describes an instance as model · status · $cost, with queued asks', () => {
    assert.equal(describeInstance(info()), 'claude-haiku-4-5 · idle · $0.0123');
    assert.equal(describeInstance(info({ status: 'busy', queued: 2 })), 'claude-haiku-4-5 · busy (+2 queued) · $0.0123');
  });

  it('never shows an unpriced total as $0', () => {
    assert.equal(costLabel(info({ cost: { usd: 0, unpricedRequests: 3 } })), 'unpriced');
    assert.equal(costLabel(info({ cost: { usd: 0.5, unpricedRequests: 1 } })), '$0.5000+');
  });

  it('spins while busy, shows an error icon in the theme’s error color, else the backend icon', () => {
    assert.deepEqual(iconFor(info({ status: 'busy' })), { id: 'loading~spin' });
    assert.deepEqual(iconFor(info({ status: 'error' })), { id: 'error', color: 'errorForeground' });
    assert.deepEqual(iconFor(info({ backend: 'ollama' })), { id: 'server-process' });
  });

  it('puts backend, model, session, tokens, cost, fork point and last error in the tooltip, escaped', () => {
    const md = tooltipMarkdown(info({
      session: { sessionId: 'abc-123' },
      lineage: { parent: 'root', forkPoint: 'f00dfeed-1', forkedAt: 0, fromBackend: 'ollama' },
      lastError: { kind: 'auth', message: 'bad key <script>', hint: 'Set API Key…', at: 0 },
    }));
    for (const s of ['Anthropic API', 'claude\\-haiku\\-4\\-5', 'abc\\-123', '50\\.0k cache read', '$0\\.0123', 'root \\(from Ollama\\) at message f00dfeed', 'Last error (auth)', '\\<script\\>', 'Next step: Set API Key…']) {
      assert.ok(md.includes(s), `tooltip lacks ${s}:\n${md}`);
    }
    assert.equal(escapeMarkdown('[x](javascript:y)'), '\\[x\\]\\(javascript:y\\)');
  });
});

describe('selection prompt', () => {
  it('carries the question, path, language, line range and the code in a fence it cannot break', () => {
    const p = selectionPrompt('Why?', { path: 'src/a.ts', languageId: 'typescript', startLine: 3, endLine: 7, text: 'const s = ```;' });
    assert.ok(p.startsWith('Why?\n\nFrom `src/a.ts` (typescript, lines 3-7):'));
    assert.ok(p.includes('````typescript\nconst s = ```;\n````'));
    assert.ok(selectionPrompt('', { path: 'b.py', languageId: 'python', startLine: 1, endLine: 1, text: 'x' }).startsWith('Explain this code.\n\nFrom `b.py` (python, line 1)'));
  });
});

// The usage report, now from the ledger, is tested in dashboardUsageReport.test.ts.

describe('webview protocols reject unknown types and shapes', () => {
  it('chat', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'hi' }), { type: 'send', text: 'hi' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.equal(parseWebviewMessage({ type: 'send', text: 42 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'eval', code: 'x' }), undefined);
    assert.equal(parseWebviewMessage('send'), undefined);
    assert.equal(parseWebviewMessage(null), undefined);
    assert.equal(parseWebviewMessage({ type: 'runAction', command: 'workbench.action.terminal.sendSequence' }), undefined, 'only allowed commands run');
    assert.deepEqual(parseWebviewMessage({ type: 'runAction', command: 'llmFleet.setApiKey' }), { type: 'runAction', command: 'llmFleet.setApiKey' });
    assert.equal(parseWebviewMessage({ type: 'send', text: 'x'.repeat(1_000_001) }), undefined);
  });

  it('compare', () => {
    assert.deepEqual(parseCompareMessage({ type: 'copy', text: 'c' }), { type: 'copy', text: 'c' });
    assert.equal(parseCompareMessage({ type: 'copy' }), undefined);
    assert.equal(parseCompareMessage({ type: 'other' }), undefined);
  });

  it('open only absolute http(s) links, in both views', () => {
    for (const parse of [parseWebviewMessage, parseCompareMessage]) {
      assert.deepEqual(parse({ type: 'openLink', href: 'https://example.com/a?b=1' }), { type: 'openLink', href: 'https://example.com/a?b=1' });
      assert.deepEqual(parse({ type: 'openLink', href: 'http://127.0.0.1:3000/' }), { type: 'openLink', href: 'http://127.0.0.1:3000/' });
      for (const href of ['command:workbench.action.terminal.new', 'file:///etc/passwd', 'vscode://x/y', 'javascript:alert(1)', './notes.md', '/proxy/8080/', '//evil.example/', 'https://', 'data:text/html,x', 42]) {
        assert.equal(parse({ type: 'openLink', href }), undefined, String(href));
      }
    }
  });
});
