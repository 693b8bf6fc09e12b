import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('architecture', () => {
  it('src/core never imports vscode', () => {
    const files = sources('src/core');
    assert.ok(files.length > 5, 'the core has files to check');
    const offenders = files.filter((f) => /(from\s+['"]vscode['"])|(require\(\s*['"]vscode['"]\s*\))|(import\(\s*['"]vscode['"]\s*\))/.test(readFileSync(join(root, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('src/core never imports from the host side', () => {
    const offenders = sources('src/core').filter((f) => /from\s+['"](\.\.\/)+(vscode|webview)\//.test(readFileSync(join(root, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
