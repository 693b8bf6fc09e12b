import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * The parts of a workspace URI the key is made from. The host passes `uri.scheme`, `uri.authority` and `uri.path`
 * of the saved `.code-workspace` file, else of the first folder.
 */
export interface WorkspaceRef {
  readonly kind: 'folder' | 'workspace-file';
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
}

export interface WorkspaceKey {
  /** The normalised path the key is a hash of; written to workspace.json for humans. */
  readonly identity: string;
  /** A folder name: `<readable basename>-<16 hex of sha256(identity)>`. */
  readonly key: string;
}

/**
 * Schemes whose path is a real path on the machine the extension host runs on. A remote extension host (code-server,
 * Remote-SSH, WSL) sees its folders as `file:`; the workbench names the same folder `vscode-remote://host:port/…`
 * and keys the workspace's storage by that whole URI, which is why state kept in `storageUri` vanished when
 * code-server came back on another port. Either form gives one key here: the authority is dropped, and that loses
 * nothing, because globalStorage itself lives on the machine that holds the folder, so two remotes never share it.
 */
const ON_DISK = new Set(['file', 'vscode-remote']);

/**
 * The stable identity of a workspace: its path, never the host:port. Virtual workspaces (other schemes, e.g.
 * `vscode-vfs:` for a GitHub repository) keep the scheme in front, so `/owner/repo` there does not share instances
 * with a real folder `/owner/repo` whose Claude Code sessions run in a different directory.
 */
export function workspaceIdentity(ref: WorkspaceRef): string {
  const onDisk = ON_DISK.has(ref.scheme);
  // A `file` URI with an authority is a Windows UNC path (\\server\share): there the server is part of the path.
  let unc = ref.scheme === 'file' && ref.authority ? ref.authority : '';
  let p = ref.path;
  const windows = unc !== '' || /^[\\/]?[A-Za-z]:([\\/]|$)/.test(p) || p.startsWith('\\\\');
  // Backslashes separate folders only on Windows; on POSIX they are ordinary file-name characters.
  if (windows) p = p.replace(/\\/g, '/');
  const rawUnc = windows && !unc ? /^\/\/([^/]+)(\/.*)?$/.exec(p) : null; // `\\server\share` given as a plain path
  if (rawUnc) [unc, p] = [rawUnc[1], rawUnc[2] ?? '/'];
  if (/^[A-Za-z]:/.test(p)) p = '/' + p; // `C:/x` as a raw path, `/C:/x` as a URI path: one form
  p = path.posix.normalize(p.startsWith('/') ? p : '/' + p);
  if (unc) p = `//${unc}${p}`;
  if (p.length > 1) p = p.replace(/\/+$/, ''); // `/x/` and `/x`, `C:\\` and `C:` are one folder
  // Windows file systems ignore case, and editors disagree on the drive letter's (VS Code folds it for its own ids).
  if (windows) p = p.toLowerCase();
  return onDisk ? p : `${ref.scheme}:${p}`;
}

export function workspaceKey(ref: WorkspaceRef): WorkspaceKey {
  const identity = workspaceIdentity(ref);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return { identity, key: `${readableName(identity)}-${hash}` };
}

/**
 * The last path segment reduced to characters every file system accepts (no separators, no leading dot that would
 * hide the folder or make it `..`, no trailing dot or space that Windows drops), kept short so deep profiles stay
 * under Windows' path limit. Only the hash makes the key unique; this part is for the human looking at the folder.
 */
function readableName(identity: string): string {
  const last = identity.replace(/^[a-z][a-z0-9+.-]*:(?=\/)/i, '').split('/').filter(Boolean).at(-1) ?? '';
  const safe = last
    .normalize('NFKD') // `é` becomes `e` plus an accent, and the accent goes:
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._ ]+$/g, '')
    .slice(0, 40)
    .replace(/[._]+$/, '');
  return safe || 'workspace';
}

export const WORKSPACE_RECORD = 'workspace.json';

/**
 * Writes `workspace.json` beside the instances so a person browsing globalStorage can tell which folder is which.
 * Rewritten only when it says something else (atomically: a temp file renamed over it), so a start costs one read.
 */
export async function recordWorkspace(root: string, ref: WorkspaceRef, key: WorkspaceKey): Promise<void> {
  const file = path.join(root, WORKSPACE_RECORD);
  const text = JSON.stringify({ version: 1, kind: ref.kind, path: key.identity }, undefined, 2) + '\n';
  if ((await fs.readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await fs.mkdir(root, { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temp, text, { mode: 0o600 });
  await fs.rename(temp, file);
}
