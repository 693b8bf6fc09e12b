import type * as vscode from 'vscode';

/** Providers whose keys the extension keeps. Keys live only in SecretStorage; environment variables are a fallback. */
export type KeyProvider = 'anthropic' | 'openai';

export const KEY_ENV: Readonly<Record<KeyProvider, string>> = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' };
export const KEY_LABEL: Readonly<Record<KeyProvider, string>> = { anthropic: 'Anthropic API', openai: 'OpenAI-compatible server' };

export class Secrets {
  /** Known key values, so the log can redact them wherever they appear. */
  private readonly known = new Set<string>();

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  readonly onDidChange = (listener: () => void) => this.storage.onDidChange(() => listener());

  async get(provider: KeyProvider): Promise<string | undefined> {
    const key = (await this.storage.get(storageKey(provider))) || this.env[KEY_ENV[provider]] || undefined;
    if (key) this.known.add(key);
    return key;
  }

  /** Where the key comes from, for status displays; never the key itself. */
  async source(provider: KeyProvider): Promise<'secret storage' | 'environment' | undefined> {
    if (await this.storage.get(storageKey(provider))) return 'secret storage';
    return this.env[KEY_ENV[provider]] ? 'environment' : undefined;
  }

  async set(provider: KeyProvider, key: string): Promise<void> {
    this.known.add(key);
    await this.storage.store(storageKey(provider), key);
  }

  async delete(provider: KeyProvider): Promise<void> {
    await this.storage.delete(storageKey(provider));
  }

  knownValues(): Iterable<string> {
    return this.known;
  }
}

function storageKey(provider: KeyProvider): string {
  return `llmFleet.${provider}.apiKey`;
}
