// The webview base (src/vscode/webviewBase.ts) with a fake panel, and the page's channel
// (src/webview/shared/hostChannel.ts) against it: handshake, queueing, replies, failures and disposal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../src/core/lifecycle';
import type { Logger } from '../../src/core/log';
import { WebviewBase } from '../../src/vscode/webviewBase';
import { connectToHost } from '../../src/webview/shared/hostChannel';
import { requestIdOf, type DidReply } from '../../src/webview/shared/messaging';
import { parseWebviewMessage } from '../../src/webview/chat/protocol';

type In = { type: 'ready' } | { type: 'do'; fail?: string };
type Out = { type: 'snapshot'; loads: number } | { type: 'note'; text: string } | { type: 'update'; text: string } | DidReply;

const parse = (raw: unknown): In | undefined => {
  const m = raw as { type?: unknown; fail?: unknown };
  if (m?.type === 'ready') return { type: 'ready' };
  if (m?.type === 'do') return typeof m.fail === 'string' ? { type: 'do', fail: m.fail } : { type: 'do' };
  return undefined;
};

class FakePanel {
  visible = true;
  deliver = true;
  disposeCalls = 0;
  readonly posted: unknown[] = [];
  readonly fromPage = new Emitter<unknown>();
  private readonly viewState = new Emitter<unknown>();
  private readonly disposed = new Emitter<void>();
  /** Where the page (a connectToHost channel, in the round-trip test) hears the host. */
  readonly toPage = new Emitter<{ data: unknown }>();
  readonly webview = {
    postMessage: (m: unknown) => {
      this.posted.push(m);
      if (this.deliver) this.toPage.fire({ data: m });
      return Promise.resolve(this.deliver);
    },
    onDidReceiveMessage: this.fromPage.event,
  };
  readonly onDidChangeViewState = this.viewState.event;
  readonly onDidDispose = this.disposed.event;
  setVisible(v: boolean): void {
    this.visible = v;
    this.viewState.fire({});
  }
  dispose(): void {
    this.disposeCalls++;
    this.disposed.fire();
  }
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

class TestPanel extends WebviewBase<In, Out> {
  loads = 0;
  failures: string[] = [];
  constructor(panel: FakePanel, log: Logger) {
    super(panel, parse, log);
  }
  protected get label(): string {
    return 'Test view';
  }
  protected onReady(): void {
    this.post({ type: 'snapshot', loads: ++this.loads });
  }
  protected async handle(m: Exclude<In, { type: 'ready' }>): Promise<void> {
    await Promise.resolve();
    if (m.fail) throw new Error(m.fail);
  }
  protected override onFailure(_m: Exclude<In, { type: 'ready' }>, e: unknown): void {
    this.failures.push((e as Error).message);
  }
  update(text: string): void {
    this.postUpdate({ type: 'update', text });
  }
}

const setup = () => {
  const panel = new FakePanel();
  const log = logger();
  return { panel, log, host: new TestPanel(panel, log) };
};

describe('webview base', () => {
  it('holds posts until the page says ready, then sends the snapshot first and the held ones after, in order', async () => {
    const { panel, host } = setup();
    host.post({ type: 'note', text: 'one' });
    host.update('dropped: the snapshot has it');
    host.post({ type: 'note', text: 'two' });
    assert.deepEqual(panel.posted, [], 'nothing reaches a page that is not listening yet');
    assert.equal(host.isReady, false);
    await host.receive({ type: 'ready' });
    assert.deepEqual(panel.posted, [{ type: 'snapshot', loads: 1 }, { type: 'note', text: 'one' }, { type: 'note', text: 'two' }]);
    host.update('live');
    host.post({ type: 'note', text: 'three' });
    assert.deepEqual(panel.posted.slice(3), [{ type: 'update', text: 'live' }, { type: 'note', text: 'three' }]);
  });

  it('treats every ready as a new page: hidden, it holds notices and drops updates; shown again, it loads afresh', async () => {
    const { panel, host } = setup();
    await host.receive({ type: 'ready' });
    panel.setVisible(false);
    assert.equal(host.isReady, false, 'a hidden panel’s page is discarded');
    host.update('while hidden');
    host.post({ type: 'note', text: 'kept' });
    panel.setVisible(true);
    await host.receive({ type: 'ready' });
    assert.deepEqual(panel.posted, [{ type: 'snapshot', loads: 1 }, { type: 'snapshot', loads: 2 }, { type: 'note', text: 'kept' }]);
  });

  it('answers a request with didReply: ok, or the handler’s error; a plain message’s failure goes to onFailure', async () => {
    const { panel, host, log } = setup();
    await host.receive({ type: 'ready' });
    const handled: string[] = [];
    host.onDidHandleMessage((m) => handled.push(m.type));
    await host.receive({ type: 'do', requestId: 'r1' });
    await host.receive({ type: 'do', fail: 'no editor', requestId: 'r2' });
    await host.receive({ type: 'do', fail: 'quietly' });
    assert.deepEqual(panel.posted.slice(1), [
      { type: 'didReply', requestId: 'r1', ok: true },
      { type: 'didReply', requestId: 'r2', ok: false, error: 'no editor' },
    ]);
    assert.deepEqual(host.failures, ['quietly'], 'no reply without a request id; the subclass says it its way');
    assert.deepEqual(handled, ['do'], 'only what succeeded counts as handled');
    assert.deepEqual(log.lines, []);
  });

  it('logs and ignores an unknown message, but still answers one sent as a request, so the page never waits forever', async () => {
    const { panel, host, log } = setup();
    await host.receive({ type: 'ready' });
    await host.receive({ type: 'eval', code: 'x' });
    await host.receive({ type: 'eval', requestId: 'r9' });
    const cyclic: Record<string, unknown> = { type: 'nope' };
    cyclic.self = cyclic;
    await host.receive(cyclic);
    assert.equal(log.lines.length, 3);
    assert.match(log.lines[0], /^warn Test view: ignored a webview message of unknown type or shape: \{"type":"eval","code":"x"\}/);
    assert.deepEqual(panel.posted.slice(1), [{ type: 'didReply', requestId: 'r9', ok: false, error: 'The host does not know that message.' }]);
  });

  it('replies at once, even before ready: the page that asked is listening', async () => {
    const { panel, host } = setup();
    await host.receive({ type: 'do', requestId: 'early' });
    assert.deepEqual(panel.posted, [{ type: 'didReply', requestId: 'early', ok: true }]);
  });

  it('disposes once, however it is asked: twice, or by the panel closing; it closes its panel and goes quiet', async () => {
    const { panel, host } = setup();
    let disposals = 0;
    host.onDidDispose(() => disposals++);
    await host.receive({ type: 'ready' });
    host.dispose();
    host.dispose();
    panel.dispose(); // the panel's own close event, arriving late
    assert.equal(disposals, 1);
    assert.equal(panel.disposeCalls, 2, 'the host closed the panel once; the second call is the test’s');
    const before = panel.posted.length;
    host.post({ type: 'note', text: 'after' });
    panel.fromPage.fire({ type: 'do', requestId: 'late' });
    await host.receive({ type: 'ready' });
    assert.equal(panel.posted.length, before, 'a disposed host posts nothing and answers nothing');

    const other = setup();
    let closed = 0;
    other.host.onDidDispose(() => closed++);
    other.panel.dispose(); // the user closed the tab
    other.host.dispose();
    assert.equal(closed, 1);
  });

  it('round trip: the page’s request() settles from the host’s reply, and its other messages reach the page handler', async () => {
    const { panel } = setup(); // the host listens on the panel from here on
    const seen: unknown[] = [];
    const page = connectToHost<Out, In>({ postMessage: (m) => panel.fromPage.fire(m) }, { addEventListener: (_t, l) => panel.toPage.event(l) }, (m) => seen.push(m));
    page.post({ type: 'ready' });
    await until(() => seen.length > 0);
    assert.deepEqual(seen, [{ type: 'snapshot', loads: 1 }], 'replies never reach the page handler; the rest do');
    await page.request({ type: 'do' });
    await assert.rejects(page.request({ type: 'do', fail: 'nope' }), /^Error: nope$/);
    const ids = panel.posted.filter((m): m is DidReply => (m as DidReply).type === 'didReply').map((m) => m.requestId);
    assert.equal(new Set(ids).size, 2);
    assert.ok(ids.every((id) => /^[a-z0-9]+-\d+$/.test(id)), ids.join(', '));
    assert.deepEqual(seen, [{ type: 'snapshot', loads: 1 }]);
  });

  it('the page channel ignores a reply it did not ask for (an earlier page’s), and keeps waiting for its own', async () => {
    const sent: Array<{ requestId?: string }> = [];
    let deliver: (e: { data: unknown }) => void = () => {};
    const seen: unknown[] = [];
    const page = connectToHost<Out, In>({ postMessage: (m) => sent.push(m) }, { addEventListener: (_t, l) => (deliver = l) }, (m) => seen.push(m));
    let settled = false;
    const pending = page.request({ type: 'do' }).then(() => (settled = true));
    deliver({ data: { type: 'didReply', requestId: 'old-1', ok: true } });
    deliver({ data: null });
    await Promise.resolve();
    assert.equal(settled, false);
    deliver({ data: { type: 'didReply', requestId: sent[0].requestId, ok: true } });
    await pending;
    assert.deepEqual(seen, []);
  });
});

describe('webview envelope and the chat protocol', () => {
  it('reads a request id only when it is short text', () => {
    assert.equal(requestIdOf({ type: 'x', requestId: 'a-1' }), 'a-1');
    for (const bad of [{ requestId: 7 }, { requestId: '' }, { requestId: 'x'.repeat(101) }, null, 'a-1']) assert.equal(requestIdOf(bad), undefined);
  });

  it('Stop names its ask: a stop without an ask id does not parse', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'stop', askId: 'ask-1', requestId: 'r' }), { type: 'stop', askId: 'ask-1' });
    assert.equal(parseWebviewMessage({ type: 'stop' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'stop', askId: '' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'stop', askId: 'x'.repeat(201) }), undefined);
  });
});

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(predicate(), 'timed out');
}
