// Proves the harness: the extension under development loads in the real extension host, activates, exposes its
// API, and its commands run.
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import { EXTENSION_ID, until } from './support';

describe('smoke: extension in a real extension host', () => {
  it('activates and returns its API', async () => {
    const ext = vscode.extensions.getExtension<LlmFleetApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded (check engines.vscode against the host's ${vscode.version})`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.spawn, 'function');
    assert.equal(typeof ext.exports.spawn, 'function');
  });

  it('llmFleet.showLog opens the LLM Fleet log, which holds what activation did', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('llmFleet.showLog'), 'llmFleet.showLog is not registered');
    await vscode.commands.executeCommand('llmFleet.showLog');
    // A shown output channel is a text document of the `output` scheme, named after the channel.
    const log = await until('the LLM Fleet log with the activation line', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /LLM Fleet/.test(decodeURIComponent(d.uri.toString())) && /Restored \d+ instance/.test(d.getText())));
    assert.match(log.getText(), /Restored \d+ instance\(s\) from .*workspaces/);
  });
});
