import * as vscode from 'vscode';
import type { Backend } from '../core/backends/backend';
import { OllamaBackend } from '../core/backends/ollama';
import { contextWindow } from '../core/context/contextWindows';
import { parseSummarizer } from '../core/context/summarizer';
import { CompressionStage, DEFAULT_COMPRESSION, type CompressionSettings } from '../core/context/window';
import type { Fleet } from '../core/fleet';
import type { Budgets } from '../core/cost/budgets';
import type { Ledger } from '../core/cost/ledger';
import { summaryRecord } from '../core/context/summaryRecord';
import { budgetAdmit } from '../core/context/summaryAdmission';
import { readSettings } from './config';

/**
 * The compression stage as the extension runs it: summaries through the fleet's own backends (or an instance, asked
 * like any ask, and cancelled with the turn), their cost put to the budget caps first and every one billed on the
 * ledger, marks recorded by the Fleet, and Ollama's window as the backend will request it.
 */
export function createCompression(fleet: () => Fleet, backends: readonly Backend[], ledger: Ledger, budgets: Pick<Budgets, 'admit'>): CompressionStage {
  const ollama = backends.find((b): b is OllamaBackend => b instanceof OllamaBackend);
  const stage = new CompressionStage({
    backends: () => backends,
    apply: (name, mark) => fleet().applyCompression(name, mark),
    ask: async (name, prompt, signal) => {
      const handle = fleet().ask(name, prompt);
      const cancel = () => fleet().cancel(name, handle.id);
      signal.addEventListener('abort', cancel, { once: true });
      if (signal.aborted) cancel();
      try {
        const answer = await handle;
        return { text: answer.text, ...(answer.cost ? { cost: answer.cost } : {}) };
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
    admit: budgetAdmit(budgets),
    price: (backend, usage, model) => fleet().price(backend, usage, model),
    recordSummary: (instance, askId, bill) => void ledger.append(summaryRecord(fleet().has(instance) ? fleet().treeRoot(instance) : instance, instance, askId, bill)),
    windowOf: async (target, instance, signal) => {
      if (target.backend !== 'ollama') return contextWindow(target.backend, target.model);
      // The num_ctx the Ollama backend will send: the instance's option, the setting, else the model's own length.
      const own = target.backend === instance.spec.backend && fleet().has(instance.name) ? fleet().get(instance.name).spec.options.numCtx : undefined;
      const numCtx = positive(own) ?? positive(readSettings()['ollama.numCtx']);
      const modelLength = numCtx === undefined ? await ollama?.contextLength(target.model, signal).catch(() => undefined) : undefined;
      return contextWindow('ollama', target.model, { numCtx, modelLength });
    },
  });
  stage.configure(compressionSettings());
  return stage;
}

/** The `llmFleet.compression.*` settings, bounded. */
export function compressionSettings(): CompressionSettings {
  const s = readSettings();
  const threshold = s['compression.threshold'];
  return {
    enabled: s['compression.enabled'],
    threshold: Number.isFinite(threshold) ? Math.min(0.95, Math.max(0.1, threshold)) : DEFAULT_COMPRESSION.threshold,
    keepTurns: s['compression.keepTurns'],
    minSummaryChars: s['compression.minSummaryChars'],
    summarizer: parseSummarizer(s['compression.summarizer']),
    anthropicMode: s['compression.anthropicMode'] === 'api' ? 'api' : 'fleet',
    maxContextTokens: s['compression.maxContextTokens'],
  };
}

/** Re-reads the settings when one of them changes. */
export function watchCompressionSettings(stage: CompressionStage): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmFleet.compression') && stage.configure(compressionSettings()));
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}
