// The one renderer for model output, in a real DOM (jsdom), below the browser layer: the words the model wrote are
// all there, streaming renders the same as whole, and neither the renderer nor the sanitizer behind it lets a
// handler, a dangerous element, a spoofing attribute or a URL outside the allowlist through.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { JSDOM } from 'jsdom';
import { PROSE } from '../fixtures/proseCorpus';

type Render = typeof import('../../src/webview/shared/render');
type Streaming = typeof import('../../src/webview/shared/streamingMarkdown');
let render: Render;
let StreamingMarkdown: Streaming['StreamingMarkdown'];

before(async () => {
  // DOMPurify and the renderer bind to the page's window when they are first used; give them jsdom's.
  const { window } = new JSDOM('<!DOCTYPE html><body></body>');
  Object.assign(globalThis, { window, document: window.document });
  render = await import('../../src/webview/shared/render');
  ({ StreamingMarkdown } = await import('../../src/webview/shared/streamingMarkdown'));
});

const host = () => document.createElement('div');
/** What a reader sees, with runs of whitespace as one space. */
const shown = (el: Element | DocumentFragment) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
const fragmentHost = (f: DocumentFragment) => {
  const d = host();
  d.append(f);
  return d;
};

/** Every element, attribute and URL of a rendered tree that the renderer does not make on its own. */
function unsafe(root: Element): string[] {
  const found: string[] = [];
  const allowed = new Set(['P', 'BR', 'HR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'STRONG', 'EM', 'DEL', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'A', 'INPUT', 'DIV']);
  for (const el of root.querySelectorAll('*')) {
    if (!allowed.has(el.tagName)) found.push(`element <${el.tagName.toLowerCase()}>`);
    for (const a of el.attributes) {
      if (/^on/i.test(a.name) || ['class', 'id', 'name', 'style', 'src', 'srcset', 'poster', 'action', 'formaction', 'xlink:href'].includes(a.name)) found.push(`${el.tagName.toLowerCase()}[${a.name}]`);
      if (a.name === 'href' && !/^https?:\/\//i.test(a.value)) found.push(`href ${a.value}`);
    }
    if (el.tagName === 'INPUT' && (el.getAttribute('type') !== 'checkbox' || !el.hasAttribute('disabled'))) found.push('an input that is not a disabled checkbox');
  }
  return found;
}

const PAYLOADS = [
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=2">',
  '<svg onload="window.pwned=3"><circle r=5></circle></svg>',
  '<iframe src="https://evil.example/"></iframe>',
  '<details open ontoggle="window.pwned=4">x</details>',
  '<a href="javascript:window.pwned=5">js link</a>',
  '[md js](javascript:window.pwned=6)',
  '[md data](data:text/html,<script>alert(1)</script>)',
  '<form action="https://evil.example/"><input name="q"><button>go</button></form>',
  '<div class="msg user" id="spoof" name="messages" style="position:fixed;inset:0">fake You turn</div>',
  '<video poster="/proxy/8080/poster.png"></video>',
  '<object data="x.swf"></object><embed src="x.swf"><link rel=stylesheet href="/x.css"><meta http-equiv=refresh content="0;url=/x"><base href="/proxy/1/">',
  '![p](/proxy/8080/pixel.png) ![q](//evil.example/q.png) ![r](https://evil.example/r.png) ![d](data:image/png;base64,AAAA) ![rel](pixel.png)',
  '<img src="/absproxy/8080/x.png">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '[cmd](command:workbench.action.terminal.new) [file](file:///etc/passwd) [vs](vscode://x/y) [rel](./notes.md) [root](/proxy/8080/)',
];

describe('the model-output renderer', () => {
  for (const c of PROSE) {
    it(`shows every word of "${c.name}"`, () => {
      const whole = shown(fragmentHost(render.renderMarkdown(c.markdown)));
      for (const v of c.visible) assert.ok(whole.includes(v), `"${v}" is missing from: ${whole}`);
    });
  }

  it(`has a corpus of at least 30 prose answers (${PROSE.length})`, () => assert.ok(PROSE.length >= 30));

  it('renders the same streamed in random chunks as whole, for every corpus answer', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const c of PROSE) {
      for (let round = 0; round < 5; round++) {
        const root = host();
        const md = new StreamingMarkdown(root, () => {}, (cb) => cb());
        for (let i = 0; i < c.markdown.length; ) {
          const n = 1 + Math.floor(random() * 6);
          md.append(c.markdown.slice(i, i + n));
          i += n;
        }
        const streamed = shown(root);
        for (const v of c.visible) assert.ok(streamed.includes(v), `${c.name}, streamed: "${v}" is missing from: ${streamed}`);
        md.finish();
        assert.equal(root.querySelector('.md-done')!.innerHTML, fragmentHost(render.renderMarkdown(c.markdown)).innerHTML);
      }
    }
  });

  it('finishes a long streamed answer to exactly the whole rendering, rendering only what was not rendered yet', () => {
    const parts: string[] = [];
    for (let i = 0; i < 40; i++) {
      parts.push(`## Step ${i}\n\nThe **${i}th** change uses Promise<void> and [a link](https://example.com/${i}).\n\n`);
      parts.push(`- item a of ${i}\n- [x] item b of ${i}\n\n| a | b |\n|---|---|\n| ${i} | <td> |\n\n\`\`\`ts\nconst x${i} = a<b && c>d;\n\`\`\`\n\n`);
    }
    const text = parts.join('');
    const root = host();
    const md = new StreamingMarkdown(root, () => {}, (cb) => cb());
    for (let i = 0; i < text.length; i += 37) md.append(text.slice(i, i + 37));
    const doneBefore = root.querySelector('.md-done')!.firstChild;
    md.finish();
    assert.equal(root.querySelector('.md-done')!.innerHTML, fragmentHost(render.renderMarkdown(text)).innerHTML);
    assert.equal(root.querySelector('.md-done')!.firstChild, doneBefore, 'the blocks rendered while streaming were kept, not rendered again');
    assert.equal(root.querySelector('.md-live')!.childNodes.length, 0);
  });

  it('renders a streamed answer whole when a link definition at the end reaches back into an earlier block', () => {
    const text = 'See [the docs][d].\n\nMore text.\n\n[d]: https://example.com/docs\n';
    const root = host();
    const md = new StreamingMarkdown(root, () => {}, (cb) => cb());
    for (let i = 0; i < text.length; i += 5) md.append(text.slice(i, i + 5));
    md.finish();
    assert.equal(root.querySelector('.md-done a')?.getAttribute('href'), 'https://example.com/docs');
    assert.equal(root.querySelector('.md-done')!.innerHTML, fragmentHost(render.renderMarkdown(text)).innerHTML);
  });

  it('lets no script, handler, frame, image, form, spoofing attribute or foreign URL through', () => {
    for (const p of PAYLOADS) {
      const out = fragmentHost(render.renderMarkdown(`Before.\n\n${p}\n\nAfter.`));
      assert.deepEqual(unsafe(out), [], p);
      assert.match(shown(out), /After\.$/, `text after ${p} vanished`);
    }
  });

  it('the sanitizer alone holds against raw HTML the renderer would never make', () => {
    for (const p of PAYLOADS) assert.deepEqual(unsafe(fragmentHost(render.sanitize(p))), [], p);
    const kept = fragmentHost(render.sanitize('<p>ok <a href="https://example.com/">site</a> <input type="checkbox" checked></p>'));
    assert.equal(kept.querySelector('a')?.getAttribute('href'), 'https://example.com/');
    assert.ok(kept.querySelector('input')?.hasAttribute('disabled'), 'a checkbox is forced disabled');
  });

  it('shows an image as its alt text and URL, and makes no element that could fetch it', () => {
    const out = fragmentHost(render.renderMarkdown('![a pixel](/proxy/8080/pixel.png) and ![logo](https://example.com/logo.png)'));
    assert.equal(out.querySelectorAll('img, picture, video, source').length, 0);
    assert.equal(shown(out), '[image: a pixel] /proxy/8080/pixel.png and [image: logo] https://example.com/logo.png');
    assert.deepEqual([...out.querySelectorAll('a')].map((a) => a.getAttribute('href')), ['https://example.com/logo.png']);
  });

  it('makes links of absolute http(s) URLs only; other schemes and relative URLs are text', () => {
    const out = fragmentHost(render.renderMarkdown('[web](https://example.com/a) [cmd](command:x.y) [file](file:///etc) [vs](vscode://a) [rel](./a.md) [root](/proxy/1/) [proto](//evil.example/) https://bare.example/x'));
    assert.deepEqual([...out.querySelectorAll('a')].map((a) => a.getAttribute('href')), ['https://example.com/a', 'https://bare.example/x']);
    assert.equal(shown(out), 'web cmd file vs rel root proto https://bare.example/x');
  });

  it('shows task lists as disabled checkboxes that keep their state', () => {
    const out = fragmentHost(render.renderMarkdown('- [x] done\n- [ ] not yet'));
    const boxes = [...out.querySelectorAll('input')];
    assert.deepEqual(boxes.map((b) => [b.type, b.hasAttribute('checked'), b.hasAttribute('disabled')]), [['checkbox', true, true], ['checkbox', false, true]]);
    assert.equal(shown(out), 'done not yet');
  });

  it('keeps no class from a code fence\'s language, and escapes the code', () => {
    const out = fragmentHost(render.renderMarkdown('```html" onclick="x\n<b>&amp;</b>\n```'));
    assert.equal(out.querySelector('pre code')?.attributes.length, 0);
    assert.equal(out.querySelector('pre code')?.textContent, '<b>&amp;</b>\n');
  });
});
