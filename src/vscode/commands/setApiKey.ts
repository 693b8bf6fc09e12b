import * as vscode from 'vscode';
import { KEY_LABEL, type KeyProvider, type Secrets } from '../secrets';
import { askText, pickOne } from '../input/quickInput';
import type { Command } from './command';

/** Stores a provider key in SecretStorage. The key never touches settings, argv, the log or a webview. */
export class SetApiKeyCommand implements Command {
  readonly id = 'llmFleet.setApiKey';
  constructor(private readonly secrets: Secrets) {}

  async execute(provider?: unknown): Promise<void> {
    const chosen = isProvider(provider) ? provider : await pickProvider(this.secrets);
    if (!chosen) return;
    const key = await askText({
      title: `LLM Fleet: API key for the ${KEY_LABEL[chosen]}`,
      prompt: 'Stored in VS Code secret storage. Leave empty to remove the stored key.',
      password: true,
      ignoreFocusOut: true,
      validate: (v) => (/\s/.test(v.trim()) ? 'A key has no spaces.' : undefined),
    });
    if (key === undefined) return;
    if (key.trim() === '') {
      await this.secrets.delete(chosen);
      void vscode.window.showInformationMessage(`LLM Fleet: removed the stored ${KEY_LABEL[chosen]} key.`);
      return;
    }
    await this.secrets.set(chosen, key.trim());
    void vscode.window.showInformationMessage(`LLM Fleet: saved the ${KEY_LABEL[chosen]} key.`);
  }
}

function isProvider(v: unknown): v is KeyProvider {
  return v === 'anthropic' || v === 'openai';
}

async function pickProvider(secrets: Secrets): Promise<KeyProvider | undefined> {
  const items = await Promise.all(
    (['anthropic', 'openai'] as const).map(async (p) => {
      const source = await secrets.source(p);
      return { label: KEY_LABEL[p], description: source ? `set (${source})` : 'not set', provider: p };
    }),
  );
  return (await pickOne(items, { title: 'LLM Fleet: Set API Key', placeholder: 'Which provider?' }))?.provider;
}
