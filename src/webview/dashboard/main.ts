// The usage dashboard page. Chart.js draws on a canvas and touches styles only through the CSSOM (canvas.style),
// which the CSP allows; it injects no <style>, so `style-src` stays without 'unsafe-inline'. Colours are read from
// the theme's CSS variables at runtime and re-read when the theme changes.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartDataset } from 'chart.js';
import { connectToHost } from '../shared/hostChannel';
import type { Outgoing } from '../shared/messaging';
import { el, initialState, vscodeApi } from '../shared/vscodeApi';
import type { BreakdownRow, DashboardPeriod, DashboardView, DashboardWebviewState, FiguresView, GaugeView, HostMessage, TopRequestView, WebviewMessage } from './protocol';
import { BACKEND_LABELS } from '../../core/kinds';

// A violation would mean the page broke its CSP (a library injecting styles, say): counted where a test can see it.
document.addEventListener('securitypolicyviolation', (e) => {
  document.body.dataset.cspViolations = String(Number(document.body.dataset.cspViolations ?? 0) + 1);
  console.warn(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
});

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const vscode = vscodeApi<DashboardWebviewState, Outgoing<WebviewMessage>>();
const state: DashboardWebviewState = { ...initialState<DashboardWebviewState>(), ...vscode.getState() };
const host = connectToHost<HostMessage, WebviewMessage>(vscode, window, receive);

const BACKEND_LABEL: Readonly<Record<string, string>> = BACKEND_LABELS; // the ledger's backend is a plain string
const CHART_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
// High contrast themes leave some chart colours unset or give two the same value; the terminal's bright colours,
// which every theme sets for its own background, fill the palette up so that no two series share a colour.
const SPARE_VARS = ['--vscode-terminal-ansiBrightYellow', '--vscode-terminal-ansiBrightMagenta', '--vscode-terminal-ansiBrightCyan', '--vscode-terminal-ansiBrightRed'];

function usd(v: number): string {
  if (v === 0) return '$0';
  if (Math.abs(v) < 0.01) return `$${v.toPrecision(2)}`;
  return `$${v.toFixed(Math.abs(v) < 1 ? 4 : 2)}`;
}

/** Priced dollars, with unpriced requests as a count beside them: "$1.20 + 3 unpriced", or "3 unpriced" alone. */
function spend(f: Pick<FiguresView, 'usd' | 'unpriced' | 'records'>): string {
  if (f.unpriced === 0) return usd(f.usd);
  return f.usd === 0 && f.records === f.unpriced ? `${f.unpriced} unpriced` : `${usd(f.usd)} + ${f.unpriced} unpriced`;
}

const pct = (r: number | undefined) => (r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

// ---- Layout ----
const header = el('header', 'dash-header');
const title = el('h1', 'dash-title', 'Usage');
const periods = el('div', 'periods');
periods.setAttribute('role', 'group');
periods.setAttribute('aria-label', 'Period');
for (const [p, label] of [['day', 'Day'], ['week', 'Week'], ['month', 'Month']] as const) {
  const b = el('button', 'secondary period', label);
  b.type = 'button';
  b.dataset.period = p;
  periods.append(b);
}
const actions = el('div', 'actions');
for (const [action, label] of [['refresh', 'Refresh'], ['csv', 'Export CSV'], ['json', 'Export JSON']] as const) {
  const b = el('button', 'secondary', label);
  b.type = 'button';
  b.dataset.action = action;
  actions.append(b);
}
header.append(title, periods, actions);
const notice = el('div', 'notice');
notice.setAttribute('role', 'status');
const cards = el('section', 'cards');
const gaugeBox = el('section', 'gauges');
const chartBox = el('section', 'chart-box');
const chartWrap = el('div', 'chart-wrap');
const canvas = el('canvas', 'spend-chart');
canvas.setAttribute('role', 'img');
chartWrap.append(canvas);
const chartNote = el('div', 'hint chart-note');
chartBox.append(el('h2', undefined, 'Spend over time'), chartWrap, chartNote);
const tables = el('section', 'tables');
const topBox = el('section', 'top');
const estimateBox = el('section', 'estimate-error');
const main = el('main', 'dashboard');
main.append(cards, gaugeBox, chartBox, tables, topBox, estimateBox);
document.body.append(header, notice, main);

// ---- Chart ----
let chart: Chart<'bar', number[], string> | undefined;
let view: DashboardView | undefined;

/** Distinct theme colours, chart colours first; the default blue only when a theme sets none at all. */
function palette(v: (name: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of [...CHART_VARS, ...SPARE_VARS].map(v)) {
    if (!c || seen.has(c.toLowerCase())) continue;
    seen.add(c.toLowerCase());
    out.push(c);
  }
  return out.length ? out : ['#3794ff'];
}

/**
 * The chart's colours from the theme. `border` is set only by high contrast themes (contrastBorder): there every
 * bar is outlined with it, so stacked segments stay apart without telling them by hue alone.
 */
function themeColours(): { series: string[]; fg: string; grid: string; font: string; border: string } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    series: palette((n) => v(n, '')),
    fg: v('--vscode-charts-foreground', v('--vscode-foreground', '#888')),
    grid: v('--vscode-charts-lines', v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.35)'))),
    font: v('--vscode-font-family', 'sans-serif'),
    border: v('--vscode-contrastBorder', ''),
  };
}

function drawChart(v: DashboardView): void {
  const c = themeColours();
  const datasets: ChartDataset<'bar', number[]>[] = v.series.stacks.map((s, i) => ({
    label: BACKEND_LABEL[s.backend] ?? s.backend,
    data: [...s.usd],
    backgroundColor: c.series[i % c.series.length],
    borderColor: c.border || c.series[i % c.series.length],
    // Two pixels: a one-pixel edge at a fractional position is blurred into the fill and the background.
    borderWidth: c.border ? 2 : 0,
    stack: 'spend',
  }));
  const unpriced = v.series.stacks.reduce((n, s) => n + s.unpriced.reduce((a, b) => a + b, 0), 0);
  chartNote.textContent = unpriced ? `${unpriced} unpriced request(s) in this range are not in the chart (no price is known for them).` : '';
  canvas.setAttribute('aria-label', `Spend per ${v.period} by backend: ${v.series.labels.length} bars, ${datasets.length} backend(s).`);
  canvas.dataset.palette = datasets.map((d) => d.backgroundColor).join(' '); // the colours drawn, for a test to check
  const scale = { ticks: { color: c.fg, font: { family: c.font } }, grid: { color: c.grid }, border: { color: c.grid } };
  Chart.defaults.color = c.fg;
  Chart.defaults.font.family = c.font;
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    plugins: {
      legend: { labels: { color: c.fg, font: { family: c.font } } },
      tooltip: { callbacks: { label: (ctx: { dataset: { label?: string }; parsed: { y: number | null } }) => `${ctx.dataset.label}: ${usd(ctx.parsed.y ?? 0)}` } },
    },
    scales: { x: { ...scale, stacked: true }, y: { ...scale, stacked: true, beginAtZero: true, ticks: { ...scale.ticks, callback: (t: string | number) => usd(Number(t)) } } },
  };
  if (!chart) chart = new Chart<'bar', number[], string>(canvas, { type: 'bar', data: { labels: [...v.series.labels], datasets }, options });
  else {
    chart.data = { labels: [...v.series.labels], datasets };
    chart.options = options;
    chart.update();
  }
}

// The workbench swaps the theme's variables on <html> and the theme class on <body> when the user changes theme.
new MutationObserver(() => view && drawChart(view)).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(() => view && drawChart(view)).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- Figures ----
function card(label: string, value: string, name: string): HTMLElement {
  const c = el('div', 'card');
  c.dataset.figure = name;
  c.append(el('div', 'card-label', label), el('div', 'card-value', value));
  return c;
}

function showCards(v: DashboardView): void {
  const t = v.totals;
  cards.replaceChildren(
    card(`Spent ${v.periodLabel}`, spend(t), 'spent'),
    card('Cache savings', usd(t.savedUsd), 'saved'),
    card('Cache hit rate', pct(t.hitRate), 'hitRate'),
    card('Requests', String(t.records), 'records'),
    card('Unpriced requests', String(t.unpriced), 'unpriced'),
  );
}

function gauge(g: GaugeView): HTMLElement {
  const box = el('div', 'gauge');
  const bar = el('progress', g.spentUsd >= g.capUsd ? 'over' : g.spentUsd >= 0.8 * g.capUsd ? 'near' : '');
  bar.max = g.capUsd;
  bar.value = Math.min(g.spentUsd, g.capUsd);
  const text = `${usd(g.spentUsd)} of ${usd(g.capUsd)} (${Math.round((g.spentUsd / g.capUsd) * 100)}%)${g.unpriced ? ` + ${g.unpriced} unpriced` : ''}`;
  bar.setAttribute('aria-label', `${g.label}: ${text}`);
  box.append(el('div', 'gauge-label', g.label), bar, el('div', 'gauge-text', text));
  return box;
}

function showGauges(v: DashboardView): void {
  gaugeBox.replaceChildren(...(v.gauges.length ? [el('h2', undefined, 'Budgets'), ...v.gauges.map(gauge)] : []));
}

function table(caption: string, rows: readonly BreakdownRow[], name: string): HTMLElement {
  const t = el('table', 'breakdown');
  t.dataset.breakdown = name;
  t.append(el('caption', undefined, caption));
  const head = el('tr');
  for (const h of [name, 'Spent', 'Requests', 'Saved by cache', 'Cache hit rate']) head.append(el('th', undefined, h));
  t.append(head);
  for (const r of rows) {
    const tr = el('tr');
    const label = name === 'backend' ? (BACKEND_LABEL[r.key] ?? r.key) : r.key;
    for (const c of [label, spend(r), String(r.records), usd(r.savedUsd), pct(r.hitRate)]) tr.append(el('td', undefined, c));
    t.append(tr);
  }
  if (rows.length === 0) t.append(el('tr', 'empty', 'No requests.'));
  return t;
}

function showTables(v: DashboardView): void {
  tables.replaceChildren(table(`By backend, ${v.periodLabel}`, v.byBackend, 'backend'), table(`By model, ${v.periodLabel}`, v.byModel, 'model'), table(`By instance, ${v.periodLabel}`, v.byInstance, 'instance'));
}

function showTop(top: readonly TopRequestView[]): void {
  const t = el('table', 'top-requests');
  t.append(el('caption', undefined, `Most expensive requests, ${view?.periodLabel ?? ''}`));
  const head = el('tr');
  for (const h of ['When', 'Instance', 'Model', 'Tokens in / out / cache read', 'Cost', '']) head.append(el('th', undefined, h));
  t.append(head);
  for (const r of top) {
    const tr = el('tr');
    const open = el('button', 'link', 'Open chat');
    open.type = 'button';
    open.dataset.instance = r.instance;
    open.dataset.askId = r.askId;
    const when = new Date(r.at).toLocaleString();
    for (const c of [when, r.instance, r.model, `${r.input.toLocaleString()} / ${r.output.toLocaleString()} / ${r.cacheRead.toLocaleString()}`, usd(r.usd)]) tr.append(el('td', undefined, c));
    const cell = el('td');
    cell.append(open);
    tr.append(cell);
    t.append(tr);
  }
  if (top.length === 0) t.append(el('tr', 'empty', 'No priced requests.'));
  topBox.replaceChildren(t);
}

/** How well the pre-flight token counts (budgets) matched what the providers reported, per model family. */
function showEstimateError(v: DashboardView): void {
  const t = el('table', 'estimate-error');
  t.append(el('caption', undefined, `Token estimate error by model family, ${v.periodLabel}`));
  const head = el('tr');
  for (const h of ['Family', 'Requests compared', 'Mean error']) head.append(el('th', undefined, h));
  t.append(head);
  for (const r of v.estimateError) {
    const tr = el('tr');
    tr.dataset.family = r.family;
    for (const c of [r.family, r.count.toLocaleString(), `${r.meanAbsPctError.toFixed(1)}%`]) tr.append(el('td', undefined, c));
    t.append(tr);
  }
  if (v.estimateError.length === 0) t.append(el('tr', 'empty', 'No answers with both an estimate and reported usage yet.'));
  estimateBox.replaceChildren(t);
}

function showPeriod(p: DashboardPeriod): void {
  for (const b of periods.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String(b.dataset.period === p));
}

function receive(m: Exclude<HostMessage, { type: 'didReply' }>): void {
  switch (m.type) {
    case 'didLoad':
      view = m.view;
      showPeriod(m.view.period);
      showCards(m.view);
      showGauges(m.view);
      drawChart(m.view);
      showTables(m.view);
      showEstimateError(m.view);
      document.body.dataset.loaded = 'true';
      return;
    case 'didLoadTop':
      if (view?.period === m.period) showTop(m.top);
      return;
    case 'didFail':
      notice.textContent = m.message;
      return;
  }
}

const request = (m: WebviewMessage) => {
  notice.textContent = '';
  host.request(m).catch((e: Error) => (notice.textContent = e.message));
};

document.addEventListener('click', (e) => {
  const b = (e.target as Element).closest('button');
  if (!b) return;
  if (b.dataset.period) {
    const period = b.dataset.period as DashboardPeriod;
    vscode.setState(Object.assign(state, { period }));
    showPeriod(period);
    request({ type: 'setPeriod', period });
  } else if (b.dataset.action === 'refresh') request({ type: 'refresh' });
  else if (b.dataset.action === 'csv' || b.dataset.action === 'json') request({ type: 'export', format: b.dataset.action });
  else if (b.dataset.instance && b.dataset.askId) request({ type: 'openRequest', instance: b.dataset.instance, askId: b.dataset.askId });
});

showPeriod(state.period ?? 'day');
// The host keeps the period across page loads (and a window reload gives it the saved one), so `ready` is enough.
host.post({ type: 'ready' });
