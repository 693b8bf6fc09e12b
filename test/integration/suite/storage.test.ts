// Where instances are kept, in the real extension host: under globalStorage keyed by the workspace's path (which
// does not change when code-server comes up on another port), not under the per-workspace storageUri (which does).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LlmFleetApi } from '../../../src/api';
import { workspaceKey } from '../../../src/core/workspaceKey';
import { prepareStateLocation } from '../../../src/vscode/stateLocation';
import type { TestingHooks } from '../../../src/vscode/testing';
import { extensionApi, OLLAMA_MODEL } from './support';

describe('where instances are kept', () => {
  let api: LlmFleetApi;
  let hooks: TestingHooks;
  const folder = () => vscode.workspace.workspaceFolders![0].uri;

  before(async () => {
    ({ api, hooks } = await extensionApi());
  });
  afterEach(async () => {
    await api.killAll();
  });

  it('is globalStorage/workspaces/<workspace key>, not the port-bound storageUri', () => {
    const { global, workspace } = hooks.storageRoots;
    assert.ok(workspace, 'a folder is open, so VS Code gives the extension a storageUri');
    const uri = folder();
    console.log(`      workspace ${uri.toString()} (storageUri ${workspace}) → ${hooks.storagePath}`);
    const key = workspaceKey({ kind: 'folder', scheme: uri.scheme, authority: uri.authority, path: uri.path }).key;
    assert.equal(hooks.storagePath, join(global, 'workspaces', key));
    assert.ok(!hooks.storagePath.startsWith(workspace + sep), `${hooks.storagePath} is not under ${workspace}`);
    // The workbench names this folder vscode-remote://host:port/… (and keys storageUri by that whole URI); the key is
    // the same for it on any port as for the file: URI this extension host sees.
    for (const authority of ['127.0.0.1:8080', 'localhost:8081']) {
      assert.equal(workspaceKey({ kind: 'folder', scheme: 'vscode-remote', authority, path: uri.path }).key, key);
    }
  });

  it('names the folder in workspace.json, and the Fleet saves its instances there', async () => {
    const record = JSON.parse(await fs.readFile(join(hooks.storagePath, 'workspace.json'), 'utf8'));
    assert.deepEqual(record, { version: 1, kind: 'folder', path: folder().path });
    await api.spawn('kept', { backend: 'ollama', model: OLLAMA_MODEL });
    await hooks.fleet.flush();
    assert.ok(existsSync(join(hooks.storagePath, 'instances', 'kept.json')));
    assert.equal(existsSync(join(hooks.storageRoots.workspace!, 'instances', 'kept.json')), false);
  });

  it('moves state from an old storageUri on first start, once (the host wrapper with this window’s workspace)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'llm-fleet-storage-'));
    try {
      const oldRoot = join(tmp, 'workspaceStorage', 'port-8080-hash', 'llm-fleet.llm-fleet');
      await fs.mkdir(join(oldRoot, 'instances'), { recursive: true });
      const saved = JSON.stringify({ version: 1, name: 'old', spec: { backend: 'ollama', model: OLLAMA_MODEL }, createdAt: 1, transcript: [] });
      await fs.writeFile(join(oldRoot, 'instances', 'old.json'), saved);
      const context = { globalStorageUri: vscode.Uri.file(join(tmp, 'globalStorage')), storageUri: vscode.Uri.file(oldRoot) } as vscode.ExtensionContext;
      const logged: string[] = [];
      const log = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };

      const first = await prepareStateLocation(context, log, () => undefined);
      assert.equal(first.migration.kind, 'migrated', logged.join('\n'));
      assert.equal(first.root, join(tmp, 'globalStorage', 'workspaces', first.workspace!.key));
      assert.equal(await fs.readFile(join(first.root, 'instances', 'old.json'), 'utf8'), saved);
      assert.ok(existsSync(join(first.root, 'migrated.json')));
      assert.ok(existsSync(join(oldRoot, 'instances.moved', 'old.json')));
      assert.match(logged.join('\n'), /Moved 1 saved instance file\(s\) from .* to .*; the old folder is now .*instances\.moved/);

      // Restarted on another port: a new (empty) storageUri, the same state root.
      const restarted = { ...context, storageUri: vscode.Uri.file(join(tmp, 'workspaceStorage', 'port-8081-hash', 'llm-fleet.llm-fleet')) } as vscode.ExtensionContext;
      const second = await prepareStateLocation(restarted, log, () => undefined);
      assert.deepEqual([second.root, second.migration.kind], [first.root, 'none']);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
