/**
 * Cross-checks package.json contributions against the code: commands both ways, menus, settings and their
 * defaults, and the conventions every contribution follows.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMAND_IDS } from '../../src/vscode/commandIds';
import { CONTEXT_KEYS, INSTANCE_CONTEXT, INSTANCES_VIEW, VIEW_CONTAINER } from '../../src/vscode/contextValues';
import { SECTION, SETTINGS } from '../../src/vscode/settings';
import { existsSync } from 'node:fs';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes ?? {};
const declared: Array<{ command: string; title: string; category?: string; icon?: string }> = contributes.commands ?? [];

/** Command ids the code registers: every `readonly id = 'llmFleet.…'` in a command unit. */
function registeredIds(): string[] {
  const dir = join(root, 'src/vscode/commands');
  return readdirSync(dir)
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/readonly id(?:: [^=]+)? = '(llmFleet\.[A-Za-z]+)'/g)].map((m) => m[1]))
    .sort();
}

function properties(): Record<string, any> {
  const sections: any[] = Array.isArray(contributes.configuration) ? contributes.configuration : [contributes.configuration ?? {}];
  return Object.assign({}, ...sections.map((s) => s.properties ?? {}));
}

describe('package.json manifest', () => {
  it('declares exactly the commands the code knows, and each has a unit', () => {
    assert.deepEqual(declared.map((c) => c.command).sort(), [...COMMAND_IDS].sort());
    assert.deepEqual(registeredIds(), [...COMMAND_IDS].sort());
  });

  it('gives every command the category, a title and a codicon', () => {
    for (const c of declared) {
      assert.equal(c.category, 'LLM Fleet', `${c.command} category`);
      assert.ok(c.title && !c.title.startsWith('LLM Fleet'), `${c.command} has a title without the category repeated`);
      assert.match(c.icon ?? '', /^\$\([a-z0-9-~]+\)$/, `${c.command} has a codicon`);
    }
  });

  it('refers only to declared commands and views in menus', () => {
    const ids = new Set(declared.map((c) => c.command));
    const viewIds = new Set(Object.values(contributes.views ?? {}).flatMap((vs: any) => vs.map((v: any) => v.id)));
    for (const [menu, items] of Object.entries<any[]>(contributes.menus ?? {})) {
      for (const item of items) {
        if (item.command) assert.ok(ids.has(item.command), `${menu} refers to undeclared ${item.command}`);
        for (const view of String(item.when ?? '').matchAll(/view == ([\w.]+)/g)) assert.ok(viewIds.has(view[1]), `${menu} refers to unknown view ${view[1]}`);
      }
    }
  });

  it('uses only known tree item context values and context keys in when clauses', () => {
    const whens: string[] = [
      ...Object.values<any[]>(contributes.menus ?? {}).flat().map((i) => String(i.when ?? '')),
      ...(contributes.viewsWelcome ?? []).map((w: any) => String(w.when ?? '')),
    ];
    const contextValues = new Set(Object.values(INSTANCE_CONTEXT));
    const keys = new Set<string>(Object.values(CONTEXT_KEYS));
    for (const when of whens) {
      for (const m of when.matchAll(/viewItem == ([\w.]+)/g)) assert.ok(contextValues.has(m[1]), `unknown viewItem ${m[1]}`);
      for (const m of when.matchAll(/viewItem =~ \/(.+?)\//g)) {
        const re = new RegExp(m[1]);
        assert.ok([...contextValues].some((v) => re.test(v)), `viewItem pattern ${m[1]} matches no context value`);
      }
      for (const m of when.matchAll(/\b(llmFleet\.[A-Za-z]+)\b/g)) {
        if (m[1] === INSTANCES_VIEW || [...contextValues].some((v) => v.startsWith(m[1]))) continue;
        assert.ok(keys.has(m[1]), `unknown context key ${m[1]} in "${when}"`);
      }
    }
  });

  it('has the view container, the Instances view, welcome buttons and a walkthrough whose files exist', () => {
    assert.equal(contributes.viewsContainers.activitybar[0].id, VIEW_CONTAINER);
    assert.equal(contributes.views[VIEW_CONTAINER][0].id, INSTANCES_VIEW);
    const ids = new Set(declared.map((c) => c.command));
    for (const w of contributes.viewsWelcome) {
      for (const m of String(w.contents).matchAll(/\(command:(llmFleet\.\w+)/g)) assert.ok(ids.has(m[1]), `welcome button runs undeclared ${m[1]}`);
    }
    for (const step of contributes.walkthroughs[0].steps) assert.ok(existsSync(join(root, step.media.markdown)), step.media.markdown);
    assert.ok(existsSync(join(root, contributes.viewsContainers.activitybar[0].icon)));
  });

  it('declares exactly the settings the typed config reads, with the same defaults and a markdownDescription', () => {
    const props = properties();
    const keys = Object.keys(SETTINGS).map((k) => `${SECTION}.${k}`).sort();
    assert.deepEqual(Object.keys(props).sort(), keys);
    for (const [k, fallback] of Object.entries(SETTINGS)) {
      const p = props[`${SECTION}.${k}`];
      assert.deepEqual(p.default, fallback, `${k} default`);
      assert.equal(p.type, Array.isArray(fallback) ? 'array' : typeof fallback, `${k} type`);
      assert.ok(p.markdownDescription, `${k} has a markdownDescription`);
      if (/path$/i.test(k)) assert.equal(p.scope, 'machine', `${k} names an executable, so it is machine-scoped`);
    }
  });

  it('activates implicitly, loads in code-server’s VS Code 1.139, and matches @types/vscode', () => {
    assert.deepEqual(pkg.activationEvents, []);
    assert.equal(pkg.main, './dist/extension.js');
    const engine = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode);
    assert.ok(engine, 'engines.vscode is a caret range');
    const [major, minor] = [Number(engine[1]), Number(engine[2])];
    assert.ok(major === 1 && minor >= 101 && minor <= 139, `engines.vscode ${pkg.engines.vscode} must be within 1.101 (MCP APIs) and 1.139 (code-server)`);
    assert.equal(pkg.devDependencies['@types/vscode'], pkg.engines.vscode.slice(1));
  });

  it('pins the real parts the tests depend on', () => {
    assert.equal(pkg.devDependencies['@anthropic-ai/claude-code'], '2.1.330');
    for (const dep of ['@types/vscode', '@vscode/test-electron', 'esbuild']) assert.ok(pkg.devDependencies[dep], dep);
    for (const dep of ['execa', 'ollama', '@anthropic-ai/sdk']) assert.ok(pkg.dependencies[dep], dep);
  });
});
