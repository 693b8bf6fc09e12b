import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ClaudeCodeBackend } from '../../src/core/backends/claudeCode';
import { detect } from '../../src/core/backends/detect';
import { cmdShimTarget, envValue, executableProblem, findExecutable } from '../../src/core/backends/which';
import { tempDir } from './helpers';

/** What npm's cmd-shim writes for a bin that is a native executable (Claude Code's `bin/claude.exe`). */
const NPM_CMD_SHIM = [
  '@ECHO off',
  'GOTO start',
  ':find_dp0',
  'SET dp0=%~dp0',
  'EXIT /b',
  ':start',
  'SETLOCAL',
  'CALL :find_dp0',
  '"%dp0%\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe"   %*',
  '',
].join('\r\n');

async function file(path: string, mode: number, text = '#!/bin/sh\n'): Promise<string> {
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

/** The claude that detection reports and the one the backend would start, for the same PATH. */
async function bothFind(path: string): Promise<[string | undefined, string | undefined]> {
  const [finding] = await detect({ searchPath: path, ollamaHost: 'ftp://not-probed' });
  const started = await new ClaudeCodeBackend({ baseEnv: { PATH: path } }).resolveBinary().then((p) => p, () => undefined);
  return [finding.usable ? finding.target : undefined, started];
}

describe('findExecutable: one PATH lookup for the backend and for detection', () => {
  it('POSIX: finds a claude with the execute bit, skips one without, and both callers agree', async () => {
    const dir = await tempDir();
    try {
      const plain = join(dir.path, 'plain');
      const exec = join(dir.path, 'exec');
      await Promise.all([mkdir(plain), mkdir(exec)]);
      await file(join(plain, 'claude'), 0o644);
      const runnable = await file(join(exec, 'claude'), 0o755);
      const path = `${plain}:${exec}`;
      assert.equal(await findExecutable('claude', { path, platform: 'linux' }), runnable);
      assert.deepEqual(await bothFind(path), [runnable, runnable]);
      assert.equal(await findExecutable('claude', { path: plain, platform: 'linux' }), undefined);
      assert.deepEqual(await bothFind(plain), [undefined, undefined]);
      // Fixing the bit is enough: nothing is cached.
      await chmod(join(plain, 'claude'), 0o755);
      assert.deepEqual(await bothFind(path), [join(plain, 'claude'), join(plain, 'claude')]);
    } finally {
      await dir.remove();
    }
  });

  it('skips empty and relative entries (they would mean the host’s working directory) and directories named claude', async () => {
    const dir = await tempDir();
    try {
      const bin = join(dir.path, 'bin');
      await mkdir(join(dir.path, 'claude'));
      await mkdir(bin);
      const runnable = await file(join(bin, 'claude'), 0o755);
      assert.equal(await findExecutable('claude', { path: `::.:relative/bin:${dir.path}::${bin}:`, platform: 'linux' }), runnable);
      assert.equal(await findExecutable('claude', { path: '', platform: 'linux' }), undefined);
      assert.equal(await findExecutable('claude', { path: undefined, platform: 'linux' }), undefined);
      assert.equal(await findExecutable('claude', { path: ':::', platform: 'linux' }), undefined);
    } finally {
      await dir.remove();
    }
  });

  it('Windows: tries PATHEXT in order per directory, only kinds Node can start, with no execute bit needed', async () => {
    const dir = await tempDir();
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((d) => join(dir.path, d));
      await Promise.all([mkdir(a), mkdir(b), mkdir(c)]);
      // `a` has only things Windows would not start as claude: a bare sh shim, a .ps1 and a .js.
      await Promise.all(['claude', 'claude.ps1', 'claude.js'].map((n) => file(join(a, n), 0o644)));
      const cmd = await file(join(b, 'claude.cmd'), 0o644);
      const exe = await file(join(b, 'claude.exe'), 0o644);
      const bat = await file(join(c, 'claude.bat'), 0o644);
      const win = (path: string, pathExt?: string) => findExecutable('claude', { path, pathExt, platform: 'win32' });
      assert.equal(await win(`${a};${b}`), exe, 'the default PATHEXT puts .EXE before .CMD');
      assert.equal(await win(`${a};${b}`, '.JS;.CMD;.EXE'), cmd, 'PATHEXT order wins; .JS is never started');
      assert.equal(await win(`${a};"${c}";${b}`, '.COM;.EXE;.BAT;.CMD'), bat, 'an earlier directory wins; quotes are stripped');
      assert.equal(await win(`;;${a};`), undefined, 'a bare name, .ps1 and .js are not runnable');
      assert.equal(await win(a, '.PS1;.JS;.VBS'), undefined);
      assert.equal(await findExecutable('claude.cmd', { path: b, pathExt: '.EXE', platform: 'win32' }), cmd, 'a name with its extension is tried as is');
      assert.equal(await executableProblem(join(a, 'claude'), 'win32'), undefined, 'no execute bit on Windows');
    } finally {
      await dir.remove();
    }
  });

  it('says why a configured path cannot run, and reads PATH from a Windows environment in any case', async () => {
    const dir = await tempDir();
    try {
      assert.equal(await executableProblem(join(dir.path, 'nope')), 'it does not exist');
      assert.equal(await executableProblem(dir.path), 'it is not a file');
      assert.equal(await executableProblem(await file(join(dir.path, 'claude'), 0o644)), 'it is not executable');
      assert.equal(envValue({ Path: 'C:\\bin', PATHEXT: '.EXE' }, 'PATH', 'win32'), 'C:\\bin');
      assert.equal(envValue({ Path: '/usr/bin' }, 'PATH', 'linux'), undefined, 'POSIX names are case-sensitive');
    } finally {
      await dir.remove();
    }
  });

  it('starts the .exe behind an npm .cmd shim, and anything else as found', async () => {
    const dir = await tempDir();
    try {
      const shim = await file(join(dir.path, 'claude.cmd'), 0o644, NPM_CMD_SHIM);
      assert.equal(await cmdShimTarget(shim, 'win32'), shim, 'the target is missing: keep the shim');
      const binDir = join(dir.path, 'node_modules', '@anthropic-ai', 'claude-code', 'bin');
      await mkdir(binDir, { recursive: true });
      const exe = await file(join(binDir, 'claude.exe'), 0o644);
      assert.equal(await cmdShimTarget(shim, 'win32'), exe);
      assert.equal(await cmdShimTarget(shim, 'linux'), shim, 'only Windows runs .cmd files through cmd.exe');
      const own = await file(join(dir.path, 'own.cmd'), 0o644, '@echo off\r\n"C:\\tools\\claude.exe" %*\r\n');
      assert.equal(await cmdShimTarget(own, 'win32'), own, 'a hand-written script is started as it is');
      const script = await file(join(dir.path, 'node.cmd'), 0o644, NPM_CMD_SHIM.replace('bin\\claude.exe', 'cli.js'));
      assert.equal(await cmdShimTarget(script, 'win32'), script, 'a shim for a node script needs its .cmd');
    } finally {
      await dir.remove();
    }
  });
});
