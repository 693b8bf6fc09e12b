import * as vscode from 'vscode';
import type { CompressionStage } from '../../core/context/window';
import type { Fleet } from '../../core/fleet';
import { instanceFor } from '../input/pickers';
import { pickOne } from '../input/quickInput';
import { reporting } from './asking';
import type { Command } from './command';

/**
 * "Compress Now" on an instance: its older turns become a summary at once, whatever the transcript's size (the
 * last turns stay verbatim; nothing is deleted). The chat shows the marker with the summary and what was dropped.
 */
export class CompressNowCommand implements Command {
  readonly id = 'llmFleet.compressNow';
  constructor(
    private readonly fleet: Fleet,
    private readonly compression: CompressionStage,
  ) {}

  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Compress Now', filter: (i) => i.backend !== 'claudeCode' && i.status !== 'busy', emptyMessage: 'LLM Fleet: no idle instance can be compressed (Claude Code instances compact on their own).' });
    if (!name) return;
    await reporting(async () => {
      const out = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `LLM Fleet: compressing ${name}…` }, () => this.compression.compressNow(this.fleet.get(name)));
      void vscode.window.showInformationMessage(`LLM Fleet: ${name}: ${out.note}`);
    });
  }
}

/** Turns compression off (or back on) for one instance; the global `llmFleet.compression.enabled` still applies. */
export class ToggleCompressionCommand implements Command {
  readonly id = 'llmFleet.toggleCompression';
  constructor(
    private readonly fleet: Fleet,
    private readonly compression: CompressionStage,
  ) {}

  async execute(arg?: unknown): Promise<void> {
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Turn Compression On/Off' });
    if (!name) return;
    await reporting(() => {
      const on = this.fleet.get(name).spec.compress === false;
      this.fleet.setCompression(name, on);
      const global = this.compression.current.enabled ? '' : ' (compression is off for every instance: llmFleet.compression.enabled)';
      void vscode.window.showInformationMessage(`LLM Fleet: compression is ${on ? 'on' : 'off'} for ${name}${global}.`);
    });
  }
}

/** Pins a message (compression always keeps it verbatim), or unpins it: `{ name, messageId, pinned }` (the chat's Pin). */
export class PinMessageCommand implements Command {
  readonly id = 'llmFleet.pinMessage';
  constructor(private readonly fleet: Fleet) {}

  async execute(arg?: unknown): Promise<void> {
    const given = (typeof arg === 'object' && arg !== null ? arg : {}) as { name?: unknown; messageId?: unknown; pinned?: unknown };
    const name = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Pin Message' });
    if (!name) return;
    let messageId = typeof given.messageId === 'string' ? given.messageId : undefined;
    if (!messageId) {
      const items = this.fleet.get(name).settledTranscript.filter((m) => m.compressedBy === undefined).map((m) => ({
        label: `${m.pinned ? '$(pinned) ' : ''}${m.role === 'user' ? 'You' : 'Answer'}: ${m.text.slice(0, 80).replace(/\s+/g, ' ')}`,
        id: m.id,
      }));
      messageId = (await pickOne(items.reverse(), { title: `LLM Fleet: Pin a message of ${name}`, placeholder: 'Pinned messages are never compressed' }))?.id;
    }
    if (!messageId) return;
    const id = messageId;
    const current = this.fleet.get(name).transcript.find((m) => m.id === id)?.pinned === true;
    await reporting(() => this.fleet.pin(name, id, typeof given.pinned === 'boolean' ? given.pinned : !current));
  }
}
