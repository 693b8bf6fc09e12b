import * as vscode from 'vscode';
import { parsePriceOverrides } from '../../core/cost/priceOverrides';
import { pricesReport, seenModels } from '../../core/cost/priceReport';
import { PRICE_TABLE } from '../../core/cost/prices';
import { emptyUsage } from '../../core/cost/usage';
import type { Fleet } from '../../core/fleet';
import { setting } from '../config';
import type { Command } from './command';

/**
 * Show Prices: a read-only Markdown preview of the prices in force, each with its source and date, and the models
 * seen in the fleet's transcripts that have none. The settings are read now, so an edit shows on the next run.
 */
export class ShowPricesCommand implements Command {
  readonly id = 'llmFleet.showPrices';
  constructor(private readonly fleet: Fleet) {}
  async execute(): Promise<void> {
    const { overrides, problems } = parsePriceOverrides(setting('openai.prices'));
    const transcripts = this.fleet.list().map((i) => this.fleet.get(i.name).transcript);
    // Priced as the Fleet prices an answer (settings for OpenAI-compatible servers, $0 for Ollama), with no usage.
    const seen = seenModels(transcripts, (backend, model) => this.fleet.price(backend, emptyUsage(), model).basis);
    const content = pricesReport({ table: PRICE_TABLE, overrides, problems, seen });
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  }
}
