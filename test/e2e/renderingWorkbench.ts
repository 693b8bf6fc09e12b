// The one workbench of a rendering test file (rendering.test.ts, outputSafety.test.ts) and the steps their tests take
// in it: two Ollama instances behind the loopback fake, a listener that images must never reach, console collection.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { Frame } from 'playwright-core';
import { startOllamaFake, type OllamaFake } from '../fixtures/ollamaFake';
import { answerStep, chatFrame, quickPickItems, sendPrompt, spawnFromPalette, treeRows, webviewWhere } from './fleetUi';
import { openWorkbench, runCommand, screenshotFailures, until, type Workbench } from './harness';
import { CANARY, CSP_MESSAGE, lastAnswer, scriptedSource } from './renderingSupport';

/**
 * The file's workbench, opened in `before` and closed in `after`: alpha (and, once a test broadcasts, beta) on the
 * Ollama fake, whose answers a test queues or scripts; a loopback listener that images must never reach; the
 * console messages of the page and its frames, for CSP reports; example.com served locally. The returned getters
 * are set once `before` has run: read them inside the tests.
 */
export function renderingWorkbench() {
  let wb!: Workbench;
  let ollama!: OllamaFake;
  let scripted!: ReturnType<typeof scriptedSource>;
  let listener: Server | undefined;
  let port = 0;
  /** Every request the listener got. */
  const hits: string[] = [];
  /** Console messages of the page and its frames (the webviews are same-origin frames of the workbench). */
  const consoleMessages: Array<{ text: string; url: string }> = [];
  /** Requests the browser made for the payload's URLs (anything carrying TAG), from any frame or worker. */
  const TAG = `pixel${Math.random().toString(36).slice(2, 8)}`;
  const taggedRequests: string[] = [];
  /** Prompts that went to alpha (chat sends and broadcasts): each shows once in its chat as the user's message. */
  let promptsToAlpha = 0;
  let betaSpawned = false;

  const cspViolations = () => consoleMessages.filter((m) => CSP_MESSAGE.test(m.text) && !m.text.includes(CANARY)).map((m) => `${m.text} (at ${m.url})`);

  async function ask(chat: Frame, prompt: string): Promise<void> {
    await sendPrompt(chat, prompt);
    promptsToAlpha++;
  }

  /** Waits until the chat has `count` answers and none is streaming. */
  const finished = (chat: Frame, count: number) =>
    until(`answer ${count} to finish`, async () => {
      const a = await lastAnswer(chat);
      return a.count === count && !a.streaming ? a : undefined;
    }, 45_000);

  /** Queues `deltas` as the fake's next answer, asks alpha's `chat` and waits for it; returns the answer's number. */
  async function askFor(chat: Frame, prompt: string, deltas: readonly string[]): Promise<number> {
    const count = (await lastAnswer(chat)).count + 1;
    ollama.enqueue({ kind: 'reply', deltas });
    await ask(chat, prompt);
    await finished(chat, count);
    return count;
  }

  // A reloaded webview's old document is marked (see reloadWebviews): these find only the live ones.
  /** Alpha's chat, once `ready` holds in it. */
  const alphaChat = (ready = 'true') =>
    webviewWhere(wb.page, 'the chat of alpha', `!window.__beforeReload && document.querySelector('.chat-header .name')?.textContent === 'alpha' && ${ready}`);
  /** The comparison of `prompt`, once `ready` holds in it (by default: it has both columns). */
  const comparison = (what: string, prompt: string, ready = `document.querySelectorAll('.columns .column').length === 2`) =>
    webviewWhere(wb.page, what, `!window.__beforeReload && document.querySelector('.compare-header .prompt')?.textContent === ${JSON.stringify(prompt)} && ${ready}`);

  /** Marks the documents of `frames`, then has every visible webview start over from its state. */
  async function reloadWebviews(frames: Frame[]): Promise<void> {
    for (const f of frames) await f.evaluate('window.__beforeReload = true');
    await runCommand(wb.page, 'Developer: Reload Webviews');
  }

  const bothIdle = () => until('alpha and beta idle', async () => (await treeRows(wb.page)).filter((r) => r.description.includes('· idle ·')).length === 2);

  /** Broadcast… to alpha and beta (spawned the first time); returns the comparison webview showing `prompt`. */
  async function broadcast(prompt: string): Promise<Frame> {
    if (!betaSpawned) {
      await spawnFromPalette(wb.page, { backend: 'Ollama', model: 'qwen2.5:7b', name: 'beta' });
      await until('the beta node', async () => (await treeRows(wb.page)).some((r) => r.name === 'beta'));
      await chatFrame(wb.page, 'beta');
      betaSpawned = true;
    }
    // The comparison opens in the active editor group: make that beta's, so alpha's chat stays in view.
    await wb.page.locator('.tabs-container .tab').filter({ hasText: 'Chat: beta' }).first().click();
    await runCommand(wb.page, 'LLM Fleet: Broadcast…');
    await until('the instance picker', async () => (await quickPickItems(wb.page)).length === 2);
    await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    await answerStep(wb.page, 'Broadcast to 2', prompt);
    promptsToAlpha++;
    return comparison(`the comparison of "${prompt}"`, prompt);
  }

  /** Closes a comparison's editor tab (a middle click), once both instances are idle again. */
  async function closeComparison(prompt: string): Promise<void> {
    await bothIdle();
    const tab = wb.page.locator('.tabs-container .tab').filter({ hasText: `Broadcast: ${prompt.slice(0, 30)}` });
    if ((await tab.count()) === 0) return;
    await tab.first().click({ button: 'middle' });
    await until('the comparison tab to close', async () => (await tab.count()) === 0);
  }

  before(async () => {
    listener = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end();
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    port = (listener.address() as AddressInfo).port;
    ollama = await startOllamaFake();
    scripted = scriptedSource(ollama.source);
    ollama.source = scripted.source;
    wb = await openWorkbench({ settings: { 'llmFleet.ollama.host': ollama.url } });
    wb.page.on('console', (m) => consoleMessages.push({ text: m.text(), url: m.location().url }));
    wb.context.on('request', (r) => r.url().includes(TAG) && taggedRequests.push(r.url()));
    // example.com never leaves the machine: a tab that opens it gets this page.
    await wb.context.route(/^https:\/\/example\.com\//, (r) => r.fulfill({ status: 200, contentType: 'text/plain', body: 'example.com, served by the test' }));
    await spawnFromPalette(wb.page, { backend: 'Ollama', model: 'qwen2.5:7b', name: 'alpha' });
    await until('the alpha node', async () => (await treeRows(wb.page)).some((r) => r.name === 'alpha'));
    // The console collector sees CSP reports from the webview: an image the test itself adds is refused and reported.
    // So an empty cspViolations() means nothing was refused, not that nothing was heard.
    const chat = await alphaChat();
    await chat.evaluate(`(() => { const i = new Image(); i.src = 'http://127.0.0.1:9/${CANARY}.png'; document.body.append(i); setTimeout(() => i.remove(), 1000); })()`);
    await until('the CSP canary in the console', async () => consoleMessages.some((m) => m.text.includes(CANARY) && CSP_MESSAGE.test(m.text)), 10_000);
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
    await ollama?.close();
    listener?.close();
  });

  return {
    get wb() {
      return wb;
    },
    get ollama() {
      return ollama;
    },
    get scripted() {
      return scripted;
    },
    /** The listener's port. */
    get port() {
      return port;
    },
    get promptsToAlpha() {
      return promptsToAlpha;
    },
    TAG,
    hits,
    taggedRequests,
    cspViolations,
    ask,
    finished,
    askFor,
    alphaChat,
    comparison,
    reloadWebviews,
    bothIdle,
    broadcast,
    closeComparison,
  };
}
