/**
 * Finding an executable the way the OS would run it, for the backend (which starts it) and discovery (which says
 * whether it is there), so the two never disagree. Our own rather than the `which` package: that one searches the
 * current directory first on Windows (a workspace could plant a `claude.cmd`), accepts every PATHEXT entry (`.js`
 * would open in Windows Script Host), and reads the platform from the process, so its Windows rules cannot be
 * tested anywhere else.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';

export interface LookupEnv {
  /** The directories to search, joined with the platform's delimiter. */
  readonly path: string | undefined;
  /** Windows only: the extensions to try, in order, e.g. `.COM;.EXE;.BAT;.CMD`. */
  readonly pathExt?: string;
  /** Defaults to `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/** What Windows uses when PATHEXT is unset. */
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';
/** The kinds of file Node (through execa and cross-spawn) can start on Windows; the rest of PATHEXT are scripts for other hosts. */
const SPAWNABLE_EXTENSIONS = new Set(['.com', '.exe', '.bat', '.cmd']);

/** Why a file cannot be run, worded to follow "it": e.g. "it is not executable". */
export type ExecutableProblem = 'it does not exist' | 'it is not a file' | 'it is not executable' | `it cannot be read: ${string}`;

/**
 * The first executable `name` on the path, or undefined. Empty and relative entries are skipped: they resolve
 * against the extension host's working directory, which is nobody's choice (POSIX reads an empty entry as ".").
 * On Windows the name gets each spawnable PATHEXT extension in turn, in a directory before the next directory; a
 * bare name is tried only when it already has one of them. Elsewhere the file must carry an execute bit.
 */
export async function findExecutable(name: string, env: LookupEnv): Promise<string | undefined> {
  const platform = env.platform ?? process.platform;
  for (const dir of pathEntries(env.path, platform)) {
    for (const candidate of candidateNames(name, env.pathExt, platform)) {
      const file = join(dir, candidate);
      if ((await executableProblem(file, platform)) === undefined) return file;
    }
  }
  return undefined;
}

/** Why `file` cannot be run, or undefined when it can. Windows has no execute bit: a file is enough. */
export async function executableProblem(file: string, platform: NodeJS.Platform = process.platform): Promise<ExecutableProblem | undefined> {
  try {
    if (!(await stat(file)).isFile()) return 'it is not a file';
    if (platform !== 'win32') await access(file, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'it does not exist';
    if (code === 'EACCES') return 'it is not executable';
    return `it cannot be read: ${(e as Error)?.message ?? String(e)}`;
  }
}

/** PATH (or PATHEXT) from an environment; Windows spells it `Path` and its keys ignore case, a copied object's do not. */
export function envValue(env: NodeJS.ProcessEnv, key: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'win32') return env[key];
  const found = Object.keys(env).find((k) => k.toUpperCase() === key);
  return found === undefined ? undefined : env[found];
}

/**
 * The `.exe` an npm `.cmd` shim starts (npm installs Claude Code on Windows as `claude.cmd` in front of
 * `node_modules\@anthropic-ai\claude-code\bin\claude.exe`), or `file` itself when it is anything else. Starting
 * the `.exe` directly matters: a `.cmd` runs under cmd.exe, which ends the command at a line break (so a
 * multi-line `--system-prompt=` loses the rest of the argv) and re-reads `%`, `&` and `"` in the arguments.
 * The pattern is the one npm's own read-cmd-shim reads.
 */
export async function cmdShimTarget(file: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  if (platform !== 'win32' || !/\.(cmd|bat)$/i.test(file)) return file;
  let text: string;
  try {
    if ((await stat(file)).size > MAX_SHIM_BYTES) return file;
    text = await readFile(file, 'utf8');
  } catch {
    return file;
  }
  const relative = /"%(?:~dp0|dp0%)\\([^"]+?\.exe)"\s+%\*/i.exec(text)?.[1];
  if (!relative) return file;
  const target = join(dirname(file), ...relative.split('\\'));
  return (await executableProblem(target, platform)) === undefined ? target : file;
}

/** npm's shims are well under 1 KB; anything much bigger is someone's own script, not a shim. */
const MAX_SHIM_BYTES = 4096;

function pathEntries(path: string | undefined, platform: NodeJS.Platform): string[] {
  return (path ?? '')
    .split(platform === 'win32' ? ';' : ':')
    // Windows allows quoted entries ("C:\Program Files\x"), which cmd.exe strips and a join would not.
    .map((dir) => (platform === 'win32' ? dir.trim().replace(/^"(.*)"$/, '$1') : dir))
    .filter((dir) => dir !== '' && isAbsolute(dir));
}

function candidateNames(name: string, pathExt: string | undefined, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [name];
  const extensions = (pathExt || DEFAULT_PATHEXT)
    .split(';')
    .map((x) => x.trim().toLowerCase())
    .filter((x) => SPAWNABLE_EXTENSIONS.has(x));
  const bare = SPAWNABLE_EXTENSIONS.has(extname(name).toLowerCase()) ? [name] : [];
  return [...bare, ...[...new Set(extensions)].map((x) => name + x)];
}
