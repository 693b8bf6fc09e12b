/**
 * The prices in force as Markdown, for **LLM Fleet: Show Prices**: the user's settings, our table and the packaged
 * list, each row with its source and date, and the models seen in the fleet's transcripts that have no price.
 * Pure, no `vscode` import, so unit tests read what a user reads.
 */
import type { BackendKind } from '../kinds';
import type { Message } from '../transcript';
import type { Cost } from './cost';
import { canonicalModelId, type ModelPrice, type PriceEntry, type PriceTable } from './prices';

/** A (backend, model) the transcripts hold answers from, and how it is priced now. */
export interface SeenModel {
  readonly backend: BackendKind;
  readonly model: string;
  readonly answers: number;
  /** How an answer from it would be priced now, without a figure of the backend's own. */
  readonly basis: Cost['basis'];
  /** Some answers were costed by the backend's own figure (Claude Code's), for want of ours. */
  readonly reported: boolean;
}

/** Every model that answered in these transcripts (the one the provider reported), with `basis` from the pricing in force. */
export function seenModels(transcripts: Iterable<readonly Message[]>, basisNow: (backend: BackendKind, model: string) => Cost['basis']): SeenModel[] {
  const seen = new Map<string, { backend: BackendKind; model: string; answers: number; reported: boolean }>();
  for (const transcript of transcripts) {
    for (const m of transcript) {
      if (m.role !== 'assistant' || !m.model) continue;
      const key = `${m.backend}\u0000${m.model}`;
      const s = seen.get(key) ?? { backend: m.backend, model: m.model, answers: 0, reported: false };
      s.answers += 1;
      s.reported ||= m.cost?.basis === 'reported';
      seen.set(key, s);
    }
  }
  return [...seen.values()].map((s) => ({ ...s, basis: basisNow(s.backend, s.model) })).sort((a, b) => a.backend.localeCompare(b.backend) || a.model.localeCompare(b.model));
}

export interface PricesReportInput {
  readonly table: PriceTable;
  /** From `llmFleet.openai.prices`; they apply to the OpenAI-compatible servers' models. */
  readonly overrides: Readonly<Record<string, ModelPrice>>;
  /** Settings entries that could not be used. */
  readonly problems?: readonly string[];
  readonly seen: readonly SeenModel[];
}

const HEADER = ['| Model | Input | Output | Cache write 5m | Cache write 1h | Cache read | Source | Date |', '|---|---:|---:|---:|---:|---:|---|---|'];

export function pricesReport(r: PricesReportInput): string {
  const { table } = r;
  const base = table.base;
  const lines = [
    '# LLM Fleet prices',
    '',
    'US dollars per million tokens. The first that knows a model wins: your settings (`llmFleet.openai.prices`, for OpenAI-compatible servers), ' +
      `then our table (version ${table.version}, checked ${table.checked})` +
      (base ? `, then ${base.source}, data of ${base.checked} or earlier` : '') +
      '. A model none of them knows is **unpriced**: its cost is shown as unknown, never as $0. Ollama models run on your own hardware and cost $0 per token.',
    '',
    '## Models in the fleet without a price',
    '',
    ...unpricedSection(r.seen),
    '',
    '## Your settings',
    '',
  ];
  const own = Object.entries(r.overrides).sort(([a], [b]) => a.localeCompare(b));
  if (own.length === 0) lines.push('None. Add prices for a server’s models under `llmFleet.openai.prices`.');
  else lines.push(...HEADER, ...own.map(([model, p]) => row(model, p, [], 'your setting `llmFleet.openai.prices`', 'as set')));
  for (const p of r.problems ?? []) lines.push('', `Not used: ${cell(p)}`);
  lines.push('', '## Our table', '', ...HEADER, ...table.entries.flatMap((e) => entryRows(e, table.source, table.checked)));
  const notes = table.entries.filter((e) => e.note).map((e) => `- ${e.ids.join(', ')}: ${e.note}`);
  if (notes.length > 0) lines.push('', ...notes);
  if (base) {
    const ours = new Set(table.entries.flatMap((e) => e.ids));
    const listed = base.list().filter((e) => !e.ids.some((id) => ours.has(canonicalModelId(id))));
    lines.push('', `## ${base.source}`, '', 'Anthropic and OpenAI models our table does not list.', '', ...HEADER, ...listed.flatMap((e) => entryRows(e, base.source, base.checked)));
    const baseNotes = listed.filter((e) => e.note).map((e) => `- ${e.ids.join(', ')}: ${e.note}`);
    if (baseNotes.length > 0) lines.push('', ...baseNotes);
    lines.push('', '\\* Not given by the source; billed at the input rate (the provider gives no discount for it).');
  }
  return lines.join('\n');
}

function unpricedSection(seen: readonly SeenModel[]): string[] {
  const unpriced = seen.filter((s) => s.basis === 'unpriced');
  if (seen.length === 0) return ['No answers in the fleet yet.'];
  if (unpriced.length === 0) return [`All ${seen.length} model(s) that answered in the fleet have a price.`];
  return [
    '| Backend | Model | Answers | Shown as |',
    '|---|---|---:|---|',
    ...unpriced.map((s) => `| ${s.backend} | ${cell(s.model)} | ${s.answers} | ${s.reported ? 'the backend’s own figure, labelled reported' : 'unpriced'} |`),
    '',
    `${unpriced.length} model(s) have no price of ours. An OpenAI-compatible server’s model can be given one under \`llmFleet.openai.prices\`.`,
  ];
}

function entryRows(e: PriceEntry, source: string, checked: string): string[] {
  return e.ids.map((id) => row(id, e.price, e.missing ?? [], e.source ?? source, e.checked ?? checked));
}

function row(model: string, p: ModelPrice, missing: readonly (keyof ModelPrice)[], source: string, date: string): string {
  const v = (k: keyof ModelPrice) => `${usd(p[k])}${missing.includes(k) ? '\\*' : ''}`;
  return `| ${cell(model)} | ${v('input')} | ${v('output')} | ${v('cacheWrite5m')} | ${v('cacheWrite1h')} | ${v('cacheRead')} | ${cell(source)} | ${date} |`;
}

/** $/Mtok without float noise: 6.25, 0.3, 0.075. */
export function usd(n: number): string {
  return `$${Number(n.toPrecision(6))}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
