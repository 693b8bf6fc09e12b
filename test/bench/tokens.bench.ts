/**
 * The token estimate's error against a real tokenizer and against the fakes' reported usage, per model family.
 * 1. The plain estimate (../../src/core/context/tokens.ts `estimateTokens` with the family's model) of each sample
 *    in a varied corpus (prose, TS/Python, JSON, Markdown tables, German/Chinese/Japanese, identifiers and hashes,
 *    a chat transcript), against gpt-tokenizer's exact counts: o200k_base and cl100k_base for OpenAI's families;
 *    for Claude, Ollama and other servers, whose tokenizers are not available offline, against o200k_base as the
 *    nearest real tokenizer (a stand-in, not the model's own count). And the same samples sent as one user message
 *    to the test fakes (test/fixtures), against the prompt usage each fake reports.
 * 2. The calibrated estimate (../../src/core/context/calibration.ts `ConversationTokens`) after observing 1, 2, 3, 5 and
 *    10 turns whose reported usage is the exact count of the whole prompt: its error on the next prompt, on the part
 *    of it that is estimated (appended since the last report), and on unseen samples through a shared Calibration.
 * 3. The estimator and the exact tokenizers timed per 1,000 samples, side by side.
 * Nothing here asserts a figure; it prints them.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CHARS_PER_TOKEN, estimateTokens, familyKey, type TokenMessage } from '../../src/core/context/tokens';
import { Calibration, ConversationTokens, EstimateAccuracy } from '../../src/core/context/calibration';
import { countOpenAiTokens } from '../../src/core/context/openaiTokenizer';
import type { BackendKind } from '../../src/core/kinds';
import { FAKE_ANTHROPIC_KEY, startAnthropicFake } from '../fixtures/anthropicFake';
import { startOllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake } from '../fixtures/openaiFake';
import { fmt, median, rotate } from './stats';

// ---- The corpus ----------------------------------------------------------------------------------------------

interface Sample {
  readonly id: string;
  readonly category: string;
  readonly text: string;
}

const hex = (seed: string, bytes = 32) => createHash('sha256').update(seed).digest('hex').slice(0, bytes * 2);
const b64 = (seed: string) => createHash('sha512').update(seed).digest('base64');

const CORPUS: readonly Sample[] = [
  // English prose
  { id: 'prose-1', category: 'English prose', text: 'The fleet starts each instance in its own process, so a crash in one conversation never takes the others down with it. When a backend is slow to answer, the status bar shows a spinner next to the instance name, and the timer keeps running until the first token arrives.' },
  { id: 'prose-2', category: 'English prose', text: 'It was late in the afternoon when the rain finally stopped. The streets, washed clean, shone under the low sun, and the children who had been kept indoors all day spilled out of the doorways, shouting, splashing through the puddles as if the whole town had been built for them alone.' },
  { id: 'prose-3', category: 'English prose', text: 'Before you upgrade, read the release notes carefully: the configuration format changed in version 3, and settings that used to be nested under "advanced" now live at the top level. Most users will not need to do anything, because the migration runs automatically on first start; if it fails, the old file is kept as settings.json.bak.' },
  { id: 'prose-4', category: 'English prose', text: 'Photosynthesis converts light energy into chemical energy. In the light-dependent reactions, water is split and oxygen released; in the Calvin cycle, carbon dioxide is fixed into three-carbon sugars, which the plant then assembles into glucose, starch and cellulose.' },
  { id: 'prose-5', category: 'English prose', text: "Hi! Quick question — can you summarise yesterday's meeting notes for me? I missed the second half. Mostly I need: who owns the migration, what the deadline is, and whether we agreed to drop IE11 support (I think we did, but I'm not sure)." },
  // TypeScript
  { id: 'ts-1', category: 'TypeScript', text: `export async function retry<T>(fn: () => Promise<T>, attempts = 3, delayMs = 250): Promise<T> {\n  let last: unknown;\n  for (let i = 0; i < attempts; i++) {\n    try {\n      return await fn();\n    } catch (e) {\n      last = e;\n      await new Promise((r) => setTimeout(r, delayMs * 2 ** i));\n    }\n  }\n  throw last instanceof Error ? last : new Error(String(last));\n}\n` },
  { id: 'ts-2', category: 'TypeScript', text: `interface InstanceState {\n  readonly id: string;\n  readonly backend: 'anthropic' | 'ollama' | 'openai';\n  status: 'idle' | 'busy' | 'error';\n  tokens: { input: number; output: number; cacheRead: number };\n}\n\nexport class Registry {\n  private readonly byId = new Map<string, InstanceState>();\n  get(id: string): InstanceState | undefined {\n    return this.byId.get(id);\n  }\n  set(state: InstanceState): void {\n    this.byId.set(state.id, state);\n  }\n}\n` },
  { id: 'ts-3', category: 'TypeScript', text: `const grouped = records.reduce<Record<string, number>>((acc, r) => {\n  const key = \`\${r.instance}/\${new Date(r.at).toISOString().slice(0, 10)}\`;\n  acc[key] = (acc[key] ?? 0) + (r.usd ?? 0);\n  return acc;\n}, {});\nconsole.log(Object.entries(grouped).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => \`\${k}: $\${v.toFixed(4)}\`).join('\\n'));\n` },
  { id: 'ts-4', category: 'TypeScript', text: `import * as vscode from 'vscode';\n\nexport function activate(context: vscode.ExtensionContext): void {\n  const provider = new FleetTreeProvider(context.globalState);\n  context.subscriptions.push(\n    vscode.window.registerTreeDataProvider('llmFleet.instances', provider),\n    vscode.commands.registerCommand('llmFleet.spawn', () => provider.spawn()),\n    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmFleet') && provider.refresh()),\n  );\n}\n` },
  // Python
  { id: 'py-1', category: 'Python', text: `def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:\n    """Merge overlapping closed intervals."""\n    out: list[tuple[int, int]] = []\n    for start, end in sorted(intervals):\n        if out and start <= out[-1][1]:\n            out[-1] = (out[-1][0], max(out[-1][1], end))\n        else:\n            out.append((start, end))\n    return out\n\n\nif __name__ == "__main__":\n    print(merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)]))\n` },
  { id: 'py-2', category: 'Python', text: `import asyncio\nimport aiohttp\n\nasync def fetch_all(urls):\n    async with aiohttp.ClientSession() as session:\n        tasks = [session.get(u, timeout=aiohttp.ClientTimeout(total=10)) for u in urls]\n        for resp in await asyncio.gather(*tasks, return_exceptions=True):\n            if isinstance(resp, Exception):\n                print(f"failed: {resp!r}")\n            else:\n                print(resp.status, resp.url)\n\nasyncio.run(fetch_all(["https://example.com", "https://example.org"]))\n` },
  { id: 'py-3', category: 'Python', text: `class LRUCache:\n    def __init__(self, capacity: int):\n        self.capacity = capacity\n        self.data: "OrderedDict[str, bytes]" = OrderedDict()\n\n    def get(self, key):\n        if key not in self.data:\n            return None\n        self.data.move_to_end(key)\n        return self.data[key]\n\n    def put(self, key, value):\n        self.data[key] = value\n        self.data.move_to_end(key)\n        if len(self.data) > self.capacity:\n            self.data.popitem(last=False)\n` },
  // JSON
  { id: 'json-1', category: 'JSON', text: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 4096, temperature: 0.2, messages: [{ role: 'user', content: 'List three prime numbers.' }], metadata: { user_id: 'u_8f3a2c', session: 17 } }, null, 2) },
  { id: 'json-2', category: 'JSON', text: JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ id: i + 1, name: `worker-${i}`, backend: ['anthropic', 'ollama', 'openai'][i % 3], tokens: 1000 + i * 137, ok: i % 4 !== 0 }))) },
  { id: 'json-3', category: 'JSON', text: JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [13.404954, 52.520008] }, properties: { name: 'Berlin', population: 3_664_088 } }, { type: 'Feature', geometry: { type: 'Point', coordinates: [2.352222, 48.856613] }, properties: { name: 'Paris', population: 2_102_650 } }] }, null, 2) },
  { id: 'json-4', category: 'JSON', text: JSON.stringify({ name: 'llm-fleet', version: '0.9.3', engines: { vscode: '^1.95.0', node: '>=20' }, scripts: { build: 'node esbuild.mjs', test: 'node --test', bench: 'node scripts/bench.mjs' }, dependencies: { '@anthropic-ai/sdk': '0.71.0', 'gpt-tokenizer': '3.0.1', openai: '5.23.2' } }, null, 4) },
  // Markdown with tables
  { id: 'md-1', category: 'Markdown', text: `## Results\n\n| Backend   | Model              | p50 latency | p95 latency | Cost / 1k turns |\n|-----------|--------------------|------------:|------------:|----------------:|\n| anthropic | claude-sonnet-4-5  |      820 ms |     2.1 s   |          $4.12  |\n| openai    | gpt-4o-mini        |      410 ms |     1.3 s   |          $0.38  |\n| ollama    | qwen2.5:7b         |      260 ms |     0.9 s   |          $0.00  |\n\n**Note:** p95 includes the first request after a cold start.\n` },
  { id: 'md-2', category: 'Markdown', text: `# Getting started\n\n1. Install the extension from the Marketplace.\n2. Open the **LLM Fleet** view in the activity bar.\n3. Click *Spawn Instance…* and pick a backend:\n   - \`anthropic\` — needs an API key\n   - \`ollama\` — needs a running server (\`ollama serve\`)\n\n> Tip: instances survive a window reload; their transcripts are kept in the workspace storage.\n\n\`\`\`bash\nollama pull qwen2.5:7b\n\`\`\`\n` },
  { id: 'md-3', category: 'Markdown', text: `| Setting | Default | Description |\n| --- | --- | --- |\n| \`llmFleet.maxInstances\` | \`8\` | How many instances may run at once. |\n| \`llmFleet.budget.dailyUsd\` | \`5\` | Spend after which new turns ask first. |\n| \`llmFleet.cache.breakpoints\` | \`auto\` | Where cache_control marks are placed. |\n| \`llmFleet.ollama.url\` | \`http://127.0.0.1:11434\` | The Ollama server. |\n` },
  // German
  { id: 'de-1', category: 'German', text: 'Die Donaudampfschifffahrtsgesellschaftskapitänsmütze lag vergessen auf der Bank am Ufer. Niemand wusste, wem sie gehörte, aber alle waren sich einig, dass sie schon seit Jahrzehnten dort lag und eigentlich ins Heimatmuseum gehörte.' },
  { id: 'de-2', category: 'German', text: 'Bitte beachten Sie: Die Wartungsarbeiten am Rechenzentrum finden am kommenden Samstag zwischen 22:00 und 04:00 Uhr statt. Während dieser Zeit sind die Anwendungen nur eingeschränkt erreichbar. Wir bitten um Ihr Verständnis und bedanken uns für Ihre Geduld.' },
  { id: 'de-3', category: 'German', text: 'Ärger über Überstunden: Die Gewerkschaft fordert eine Begrenzung der Wochenarbeitszeit und höhere Zuschläge für Nachtschichten. Arbeitgebervertreter äußerten sich zurückhaltend; eine Einigung vor Weihnachten gilt als unwahrscheinlich.' },
  // Chinese
  { id: 'zh-1', category: 'Chinese', text: '人工智能正在改变我们的工作方式。许多公司已经开始使用大型语言模型来编写代码、回答客户问题和整理文件。然而，如何评估这些模型的准确性和成本，仍然是一个需要认真对待的问题。' },
  { id: 'zh-2', category: 'Chinese', text: '春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。这首诗描写了春天早晨的景色，语言简单自然，却让人感受到诗人对春天的喜爱和对时光流逝的淡淡惋惜。' },
  { id: 'zh-3', category: 'Chinese', text: '请帮我把下面的会议记录整理成要点：一、项目进度落后两周；二、测试环境需要在周五之前准备好；三、下次会议定在周三下午三点，地点在三楼会议室。' },
  // Japanese
  { id: 'ja-1', category: 'Japanese', text: '東京の天気は明日から崩れる見込みです。週末にかけて雨が続き、気温も平年より低くなるでしょう。お出かけの際は傘をお忘れなく。なお、山沿いでは雪になるところもあります。' },
  { id: 'ja-2', category: 'Japanese', text: 'このエクステンションは、複数の言語モデルを同時に実行し、それぞれの会話とコストを一つの画面で管理できるようにします。設定画面から、バックエンドごとにAPIキーとモデルを選んでください。' },
  { id: 'ja-3', category: 'Japanese', text: 'すみません、昨日お送りした見積書に誤りがありました。合計金額は税込みで十二万三千円ではなく、十三万二千円が正しい金額です。ご確認のほど、よろしくお願いいたします。' },
  // Identifiers and hashes
  { id: 'id-1', category: 'Identifiers/hashes', text: `commit ${hex('a')}\nparent ${hex('b')}\ntree ${hex('c', 20)}\nsha256:${hex('d')}\nsha256:${hex('e')}` },
  { id: 'id-2', category: 'Identifiers/hashes', text: 'AbstractSingletonProxyFactoryBeanConfigurationProvider.createDefaultInstanceWithRetryPolicyAndCircuitBreaker(getTransactionAwarePersistenceManagerFactoryProxyBean(), DEFAULT_MAXIMUM_CONCURRENT_CONNECTION_POOL_SIZE_PER_HOST)' },
  { id: 'id-3', category: 'Identifiers/hashes', text: `Authorization: Bearer ${b64('token')}\nx-request-id: ${hex('req', 16)}\nset-cookie: session=${b64('cookie').replace(/[+/=]/g, '')}; Path=/; HttpOnly` },
  { id: 'id-4', category: 'Identifiers/hashes', text: Array.from({ length: 10 }, (_, i) => `3f2c9a7e-${hex(`u${i}`, 2)}-4${hex(`v${i}`, 2).slice(1)}-a${hex(`w${i}`, 2).slice(1)}-${hex(`x${i}`, 6)}`).join('\n') },
  // Chat transcripts
  { id: 'chat-1', category: 'Chat transcript', text: 'User: my build fails with "Cannot find module \'vscode\'"\nAssistant: That usually means @types/vscode is missing or tsconfig has no "types": ["vscode"]. Which one do you have?\nUser: types is set, but I never installed @types/vscode\nAssistant: Then run `npm i -D @types/vscode@1.95` (match your engines.vscode) and rebuild.\nUser: that fixed it, thanks!' },
  { id: 'chat-2', category: 'Chat transcript', text: 'User: Can you translate "where is the station?" into German and Japanese?\nAssistant: German: „Wo ist der Bahnhof?" Japanese: 「駅はどこですか？」(eki wa doko desu ka?)\nUser: and Chinese?\nAssistant: 火车站在哪里？(huǒchē zhàn zài nǎlǐ?)\nUser: great' },
  { id: 'chat-3', category: 'Chat transcript', text: 'System: You are a terse code reviewer.\nUser: ```ts\nif (x == null) return;\n```\nAssistant: Fine: == null catches undefined too. Consider `x ??= default` if you meant to fill it.\nUser: and `if (!x)`?\nAssistant: That also rejects 0, "" and false — only use it if those are invalid.' },
  { id: 'chat-4', category: 'Chat transcript', text: 'User: whats the capital of australia\nAssistant: Canberra.\nUser: not sydney??\nAssistant: No — Sydney is the largest city, but Canberra was built as a compromise between Sydney and Melbourne and has been the capital since 1913.\nUser: huh TIL' },
];

// ---- Families ------------------------------------------------------------------------------------------------

type Reference = 'o200k_base' | 'cl100k_base';
type FakeKind = 'openai' | 'anthropic' | 'ollama';

interface Family {
  readonly model: string;
  readonly backend?: BackendKind;
  /** The real tokenizer compared with: the model's own (OpenAI), or the nearest available offline. */
  readonly reference: Reference;
  readonly own: boolean;
  readonly fake: FakeKind;
}

const FAMILIES: readonly Family[] = [
  { model: 'gpt-4o', backend: 'openai', reference: 'o200k_base', own: true, fake: 'openai' },
  { model: 'gpt-4', backend: 'openai', reference: 'cl100k_base', own: true, fake: 'openai' },
  { model: 'claude-sonnet-4-5-20250929', backend: 'anthropic', reference: 'o200k_base', own: false, fake: 'anthropic' },
  { model: 'llama3.1:8b', backend: 'ollama', reference: 'o200k_base', own: false, fake: 'ollama' },
  { model: 'qwen2.5:7b', backend: 'ollama', reference: 'o200k_base', own: false, fake: 'ollama' },
  { model: 'mistral-large-latest', backend: 'openai', reference: 'o200k_base', own: false, fake: 'openai' },
];

/** A model whose exact counts are the reference's (the tokens.ts path for OpenAI's models is the tokenizer). */
const REF_MODEL: Record<Reference, string> = { o200k_base: 'gpt-4o', cl100k_base: 'gpt-4' };
const exactText = (text: string, ref: Reference) => countOpenAiTokens(text, REF_MODEL[ref]);
/** A prompt's exact tokens with OpenAI's message framing: what a provider with this vocabulary would report. */
const exactPrompt = (messages: readonly TokenMessage[], ref: Reference) => estimateTokens(messages, REF_MODEL[ref]);

// ---- Error statistics ----------------------------------------------------------------------------------------

interface Err {
  readonly mape: number;
  readonly worst: number;
  readonly worstId: string;
  readonly bias: number;
}

function errors(pairs: ReadonlyArray<{ id: string; est: number; ref: number }>): Err {
  let sum = 0;
  let signed = 0;
  let worst = 0;
  let worstId = '';
  for (const p of pairs) {
    const e = ((p.est - p.ref) / p.ref) * 100;
    sum += Math.abs(e);
    signed += e;
    if (Math.abs(e) > Math.abs(worst)) [worst, worstId] = [e, p.id];
  }
  return { mape: sum / pairs.length, worst, worstId: worstId || '(all exact)', bias: signed / pairs.length };
}

const pct = (x: number) => `${fmt(x, 1)}%`;
const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${fmt(x, 1)}%`;

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---- The fakes' reported usage -------------------------------------------------------------------------------

interface Fakes {
  reported(kind: FakeKind, model: string, text: string): Promise<number>;
  close(): Promise<void>;
}

async function startFakes(): Promise<Fakes> {
  const anthropic = await startAnthropicFake({ apiKey: FAKE_ANTHROPIC_KEY });
  const openai = await startOpenAiFake(FAMILIES.filter((f) => f.fake === 'openai').map((f) => f.model));
  const ollama = await startOllamaFake(FAMILIES.filter((f) => f.fake === 'ollama').map((f) => ({ name: f.model, contextLength: 32768, family: f.model.split(/[.:\d]/)[0] })));
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const messages = (text: string) => [{ role: 'user', content: text }];
  return {
    async reported(kind, model, text) {
      if (kind === 'anthropic') {
        const r = await post(`${anthropic.url}/v1/messages`, { model, max_tokens: 64, messages: messages(text) }, { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' });
        return r.usage.input_tokens + r.usage.cache_read_input_tokens + r.usage.cache_creation_input_tokens;
      }
      if (kind === 'openai') return (await post(`${openai.baseURL}/chat/completions`, { model, messages: messages(text) })).usage.prompt_tokens;
      return (await post(`${ollama.url}/api/chat`, { model, messages: messages(text), stream: false })).prompt_eval_count;
    },
    async close() {
      await Promise.all([anthropic.close(), openai.close(), ollama.close()]);
    },
  };
}

// ---- Calibration ---------------------------------------------------------------------------------------------

/** A fixed shuffle of the corpus, so a conversation mixes categories; each trial starts it at another offset. */
function shuffled<T>(xs: readonly T[], seed = 7): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface CalibrationRow {
  readonly turns: number;
  readonly ratio: number;
  readonly next: Err;
  readonly appended: Err;
  readonly unseen: Err;
}

function calibrate(f: Family, turns: number): CalibrationRow {
  const order = shuffled(CORPUS);
  const next: Array<{ id: string; est: number; ref: number }> = [];
  const appended: Array<{ id: string; est: number; ref: number }> = [];
  const unseen: Array<{ id: string; est: number; ref: number }> = [];
  const ratios: number[] = [];
  for (let start = 0; start < order.length; start++) {
    const seq = order.map((_, i) => order[(start + i) % order.length]);
    const calibration = new Calibration();
    const conv = new ConversationTokens({ model: f.model, backend: f.backend, hiddenPrompt: false, calibration, accuracy: new EstimateAccuracy() });
    const messages: TokenMessage[] = [];
    let k = 0;
    for (let t = 0; t < turns; t++) {
      messages.push({ role: 'user', text: seq[k++].text });
      conv.observe(messages, exactPrompt(messages, f.reference));
      messages.push({ role: 'assistant', text: seq[k++].text });
    }
    const before = turns > 0 ? exactPrompt(messages.slice(0, -1), f.reference) : 0;
    const last = seq[k++];
    messages.push({ role: 'user', text: last.text });
    const est = conv.estimate(messages);
    const ref = exactPrompt(messages, f.reference);
    const id = `${last.id} (start ${start})`;
    next.push({ id, est, ref });
    // The part the estimate had to guess: everything after the last reported prompt.
    appended.push({ id, est: est - before, ref: ref - before });
    ratios.push(calibration.ratio);
    // Unseen samples, in a new conversation sharing the calibration.
    for (const s of seq.slice(k)) {
      const fresh = new ConversationTokens({ model: f.model, backend: f.backend, hiddenPrompt: false, calibration, accuracy: new EstimateAccuracy() });
      const one = [{ role: 'user', text: s.text }];
      unseen.push({ id: s.id, est: fresh.estimate(one), ref: exactPrompt(one, f.reference) });
    }
  }
  return { turns, ratio: ratios.reduce((a, b) => a + b, 0) / ratios.length, next: errors(next), appended: errors(appended), unseen: errors(unseen) };
}

// ---- Timing --------------------------------------------------------------------------------------------------

async function timing(): Promise<void> {
  const PER = 1000;
  const texts = Array.from({ length: PER }, (_, i) => CORPUS[i % CORPUS.length].text);
  const chars = texts.reduce((n, t) => n + t.length, 0);
  let sink = 0;
  const run = (count: (t: string) => number, before?: () => void) => async () => {
    before?.();
    const t0 = performance.now();
    for (const t of texts) sink += count(t);
    return performance.now() - t0;
  };
  const o200k = require('gpt-tokenizer/encoding/o200k_base') as { clearMergeCache(): void };
  const cl100k = require('gpt-tokenizer/encoding/cl100k_base') as { clearMergeCache(): void };
  const cases: Array<[string, () => Promise<number>]> = [
    ['estimate (claude: characters / 3.5)', run((t) => estimateTokens(t, 'claude-sonnet-4-5'))],
    ['estimate (ollama, via ConversationTokens)', run((t) => new ConversationTokens({ model: 'llama3.1:8b', backend: 'ollama', accuracy: new EstimateAccuracy() }).estimate([{ role: 'user', text: t }]))],
    ['exact o200k_base (gpt-4o), warm merge cache', run((t) => countOpenAiTokens(t, 'gpt-4o'))],
    ['exact cl100k_base (gpt-4), warm merge cache', run((t) => countOpenAiTokens(t, 'gpt-4'))],
    ['exact o200k_base, merge cache cleared each round', run((t) => countOpenAiTokens(t, 'gpt-4o'), () => o200k.clearMergeCache())],
    ['exact cl100k_base, merge cache cleared each round', run((t) => countOpenAiTokens(t, 'gpt-4'), () => cl100k.clearMergeCache())],
  ];
  const results = await rotate(15, cases.map(([, f]) => f));
  const base = median(results[0]);
  console.log(`\n3. Time per ${PER.toLocaleString('en-US')} samples (the corpus cycled, ${fmt(chars / PER, 0)} characters a sample on average; median of 15 rounds, rotated)`);
  console.log(
    table(
      ['counter', 'ms / 1,000', 'µs / sample', '× estimate'],
      cases.map(([name], i) => {
        const m = median(results[i]);
        return [name, fmt(m, 2), fmt((m * 1000) / PER, 1), `${fmt(m / base, 1)}×`];
      }),
      new Set([1, 2, 3]),
    ),
  );
  if (sink < 0) console.log(sink);
}

// ---- Main ----------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // The vocabularies load on first use: time that once, before anything else touches them.
  for (const ref of ['o200k_base', 'cl100k_base'] as const) {
    const t0 = performance.now();
    exactText('warm up', ref);
    console.log(`first use of ${ref} (loads the vocabulary): ${fmt(performance.now() - t0, 0)} ms`);
  }
  const chars = CORPUS.reduce((n, s) => n + s.text.length, 0);
  const categories = [...new Set(CORPUS.map((s) => s.category))];
  console.log(`corpus: ${CORPUS.length} samples, ${chars.toLocaleString('en-US')} characters, ${categories.length} categories (${categories.join(', ')})`);

  // 1. Plain estimate, per family.
  const fakes = await startFakes();
  const rows: string[][] = [];
  const textPairs = (f: Family, ref: Reference) => CORPUS.map((s) => ({ id: s.id, est: estimateTokens(s.text, f.model), ref: exactText(s.text, ref) }));
  try {
    for (const f of FAMILIES) {
      const own = errors(textPairs(f, f.reference));
      const fakePairs: Array<{ id: string; est: number; ref: number }> = [];
      for (const s of CORPUS) fakePairs.push({ id: s.id, est: estimateTokens([{ role: 'user', text: s.text }], f.model), ref: await fakes.reported(f.fake, f.model, s.text) });
      const fake = errors(fakePairs);
      rows.push([
        familyKey(f.model, f.backend), f.model, f.own ? 'tokenizer' : `chars/${CHARS_PER_TOKEN}`, `${f.reference}${f.own ? '' : '*'}`,
        pct(own.mape), `${signedPct(own.worst)} ${own.worstId}`, signedPct(own.bias),
        `${f.fake} fake`, pct(fake.mape), `${signedPct(fake.worst)} ${fake.worstId}`,
      ]);
    }
  } finally {
    await fakes.close();
  }
  console.log('\n1. Plain estimate (estimateTokens with the model) of each sample, against a real tokenizer and against the fakes');
  console.log(table(['family key', 'model', 'estimator', 'reference', 'mean |err|', 'worst', 'bias', 'fake (1 user msg)', 'mean |err|', 'worst'], rows, new Set([4, 6, 8])));
  console.log(`* not the model's own tokenizer: Claude's, Llama's, Qwen's and Mistral's are not available offline, so o200k_base (gpt-tokenizer) stands in as the nearest real one.`);
  console.log('  The fakes report ~4 characters a token of the request (anthropic: the raw JSON body; openai: JSON of the messages; ollama: the message contents); each sample is sent as one user message and compared with estimateTokens of that message list (framing included).');

  // Where the character estimate goes wrong, by category.
  const byCat = categories.map((c) => {
    const ss = CORPUS.filter((s) => s.category === c);
    const o = errors(ss.map((s) => ({ id: s.id, est: Math.ceil(s.text.length / CHARS_PER_TOKEN), ref: exactText(s.text, 'o200k_base') })));
    const l = errors(ss.map((s) => ({ id: s.id, est: Math.ceil(s.text.length / CHARS_PER_TOKEN), ref: exactText(s.text, 'cl100k_base') })));
    const cpt = (ref: Reference) => ss.reduce((n, s) => n + s.text.length, 0) / ss.reduce((n, s) => n + exactText(s.text, ref), 0);
    return [c, String(ss.length), fmt(cpt('o200k_base'), 2), signedPct(o.bias), `${signedPct(o.worst)} ${o.worstId}`, fmt(cpt('cl100k_base'), 2), signedPct(l.bias), `${signedPct(l.worst)} ${l.worstId}`];
  });
  console.log(`\n   The character estimate (${CHARS_PER_TOKEN} characters a token) by category: real characters per token, and the estimate's mean signed error`);
  console.log(table(['category', 'n', 'o200k chars/tok', 'bias', 'worst', 'cl100k chars/tok', 'bias', 'worst'], byCat, new Set([1, 2, 3, 5, 6])));

  // 2. Calibrated estimate.
  console.log(`\n2. Calibrated estimate (ConversationTokens, reported usage = the reference tokenizer's exact count of the whole prompt with message framing)`);
  console.log(`   ${CORPUS.length} trials per row (the shuffled corpus started at each offset): observe N turns (user, report, assistant), then estimate the next prompt (one more user message).`);
  console.log('   "estimated part": what was appended since the last report, the only part not known; "unseen": the remaining samples, one each, in a new conversation sharing the Calibration.');
  const calRows: string[][] = [];
  for (const f of FAMILIES) {
    for (const n of [0, 1, 2, 3, 5, 10]) {
      const r = calibrate(f, n);
      calRows.push([
        n === 0 ? familyKey(f.model, f.backend) : '', `${f.reference}${f.own ? '' : '*'}`, n === 0 ? '0 (plain)' : String(n), fmt(r.ratio, 3),
        pct(r.next.mape), signedPct(r.next.worst), pct(r.appended.mape), signedPct(r.appended.worst), pct(r.unseen.mape), signedPct(r.unseen.worst),
      ]);
    }
  }
  console.log(table(['family key', 'reported by', 'turns', 'ratio', 'next prompt', 'worst', 'estimated part', 'worst', 'unseen', 'worst'], calRows, new Set([2, 3, 4, 5, 6, 7, 8, 9])));
  console.log('* o200k_base standing in for the model\'s own tokenizer, as above.');

  // 3. Timing.
  await timing();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
