// Proves the harness: the extension under development loads in the real extension host, activates, exposes its
// API, and its commands run.
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';

const EXTENSION_ID = 'llm-fleet.llm-fleet';

describe('smoke: extension in a real extension host', () => {
  it('activates and returns its API', async () => {
    const ext = vscode.extensions.getExtension<LlmFleetApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded (check engines.vscode against the host's ${vscode.version})`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.spawn, 'function');
    assert.equal(typeof ext.exports.spawn, 'function');
  });

  it('runs llmFleet.showLog', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('llmFleet.showLog'), 'llmFleet.showLog is not registered');
    await vscode.commands.executeCommand('llmFleet.showLog');
  });
});
