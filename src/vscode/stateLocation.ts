import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/log';
import { migrateState, type MigrationResult } from '../core/stateMigration';
import { recordWorkspace, workspaceKey, type WorkspaceKey, type WorkspaceRef } from '../core/workspaceKey';

/** Where the Fleet keeps its state this session, and how it got there. */
export interface StateLocation {
  /** The FileStore root. */
  readonly root: string;
  /** The open workspace's key; undefined with no folder open (state then lives in globalStorage itself). */
  readonly workspace?: WorkspaceKey;
  readonly migration: MigrationResult;
}

/**
 * The saved `.code-workspace` file, else the first folder; undefined with no folder open. An untitled workspace's
 * file is a temporary the editor renames on save, so it would key state to a name that goes away.
 */
export function currentWorkspace(): WorkspaceRef | undefined {
  const file = vscode.workspace.workspaceFile;
  if (file && file.scheme !== 'untitled') return { kind: 'workspace-file', scheme: file.scheme, authority: file.authority, path: file.path };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && { kind: 'folder', scheme: folder.scheme, authority: folder.authority, path: folder.path };
}

/**
 * Picks the state root under globalStorageUri and moves state over from the old per-workspace storageUri once.
 * code-server keys storageUri by `vscode-remote://host:port`, so state kept there vanished when the server came back
 * on another port; globalStorage plus a key made from the workspace's path alone does not move. Never throws: a
 * failed move is logged and shown, and this session then works from the old folder if it can still be read.
 */
export async function prepareStateLocation(context: vscode.ExtensionContext, log: Logger, showLog: () => void): Promise<StateLocation> {
  const globalRoot = context.globalStorageUri.fsPath;
  const ref = currentWorkspace();
  const workspace = ref && workspaceKey(ref);
  const root = workspace ? path.join(globalRoot, 'workspaces', workspace.key) : globalRoot;
  if (ref && workspace) {
    await recordWorkspace(root, ref, workspace).catch((e) => log.warn(`Could not write workspace.json in ${root}: ${errorMessage(e)}`));
  }
  const legacy = context.storageUri?.fsPath;
  // migrateState reports its failures; the catch is for the unforeseen, which must not stop activation either.
  const migration: MigrationResult = legacy
    ? await migrateState({ from: legacy, to: root }).catch((e) => ({ kind: 'failed', oldReadable: false, message: `Could not move saved instances: ${errorMessage(e)}` }) as const)
    : { kind: 'none' };
  report(migration, log, showLog);
  const useOld = migration.kind === 'failed' && migration.oldReadable && legacy !== undefined;
  return { root: useOld ? legacy : root, workspace, migration };
}

function report(result: MigrationResult, log: Logger, showLog: () => void): void {
  const offerLog = (message: string) => void vscode.window.showWarningMessage(message, 'Show Log').then((c) => c && showLog());
  switch (result.kind) {
    case 'none':
      return;
    case 'skipped':
      // Already moved is the normal second start after an old version wrote there again; in use without a marker is odd.
      if (result.reason === 'already-migrated') log.info(result.message);
      else log.warn(result.message);
      return;
    case 'migrated':
      log.info(result.message);
      for (const p of result.problems) log.warn(p);
      if (result.kept.length > 0) offerLog(`LLM Fleet: ${result.kept.length} saved instance(s) were not moved because the new location already had a file of that name. Nothing was deleted; see the log.`);
      return;
    case 'failed':
      log.error(result.message);
      offerLog(
        `LLM Fleet could not move saved instances to their new location${result.oldReadable ? '; this session uses the old one' : ''}. ` +
          'Nothing was deleted; the move is tried again at the next start (free disk space or fix permissions first). See the log.',
      );
      return;
  }
}
