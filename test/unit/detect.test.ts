import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detect, type BackendFinding } from '../../src/core/backends/detect';
import { startOllamaFake } from '../fixtures/ollamaFake';
import { startOpenAiFake } from '../fixtures/openaiFake';
import { closedPort, NOT_FOUND_TEXT, startPlainServer } from '../fixtures/plainServer';
import { tempDir } from './helpers';

function byLabel(findings: BackendFinding[], label: string | RegExp): BackendFinding {
  const f = findings.find((x) => (typeof label === 'string' ? x.label === label : label.test(x.label)));
  assert.ok(f, `no finding for ${label}: ${findings.map((x) => x.label).join(', ')}`);
  return f;
}

describe('detect(): what is usable, why not, and what to do', () => {
  it('finds everything that is there', async () => {
    const dir = await tempDir();
    const ollama = await startOllamaFake([{ name: 'qwen2.5:7b' }, { name: 'llama3.2:1b' }]);
    const lmStudio = await startOpenAiFake(['local-model']);
    try {
      const bin = join(dir.path, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'claude'), '#!/bin/sh\n');
      await chmod(join(bin, 'claude'), 0o755);
      const findings = await detect({
        searchPath: `/nonexistent:${bin}`,
        getAnthropicKey: async () => 'sk-ant-secret',
        ollamaHost: ollama.url,
        openAiServers: [{ name: 'LM Studio', baseURL: lmStudio.baseURL }],
      });
      assert.deepEqual(findings.map((f) => [f.kind, f.usable]), [['claudeCode', true], ['anthropic', true], ['ollama', true], ['openai', true]]);
      assert.equal(findings[0].target, join(bin, 'claude'));
      assert.deepEqual(findings[2].models, ['qwen2.5:7b', 'llama3.2:1b']);
      assert.equal(findings[2].version, ollama.version);
      assert.match(findings[2].detail, /with 2 models/);
      assert.deepEqual(byLabel(findings, 'LM Studio').models, ['local-model']);
      assert.ok(!JSON.stringify(findings).includes('sk-ant-secret'), 'the key is never reported');
    } finally {
      await Promise.all([ollama.close(), lmStudio.close(), dir.remove()]);
    }
  });

  it('explains what is missing, with a next step for each', async () => {
    const dir = await tempDir();
    const port = await closedPort();
    const emptyOllama = await startOllamaFake([]);
    const emptyServer = await startOpenAiFake([]);
    const notAnApi = await startPlainServer(NOT_FOUND_TEXT);
    try {
      await writeFile(join(dir.path, 'claude'), 'not executable');
      const findings = await detect({
        searchPath: dir.path,
        getAnthropicKey: async () => undefined,
        ollamaHost: `127.0.0.1:${port}`,
        openAiServers: [
          { name: 'empty', baseURL: emptyServer.baseURL },
          { name: 'wrong', baseURL: notAnApi.url },
          { name: 'typo', baseURL: 'localhost:1234/v1' },
        ],
      });
      assert.ok(findings.every((f) => !f.usable && f.hint), JSON.stringify(findings, null, 1));
      assert.match(findings[0].detail, /not on PATH/);
      assert.match(findings[1].detail, /No Anthropic API key/);
      assert.match(findings[2].detail, /nothing is listening there/);
      assert.match(findings[2].hint!, /ollama serve/);
      assert.match(byLabel(findings, 'empty').detail, /lists no models/);
      assert.match(byLabel(findings, 'wrong').detail, /does not serve the chat completions API|has no model/);
      assert.match(byLabel(findings, 'typo').detail, /not a valid base URL/);
      const none = await detect({ ollamaHost: emptyOllama.url, claudePath: join(dir.path, 'claude') });
      assert.match(none[0].detail, /configured Claude Code path .* not executable/);
      assert.match(none[2].detail, /running at .* but has no models/);
      assert.match(none[2].hint!, /ollama pull/);
      const relative = await detect({ claudePath: 'bin/claude', ollamaHost: 'ftp://x' });
      assert.match(relative[0].detail, /absolute path/);
      assert.match(relative[2].detail, /scheme must be http or https/);
    } finally {
      await Promise.all([emptyOllama.close(), emptyServer.close(), notAnApi.close(), dir.remove()]);
    }
  });

  it('never throws, and probes concurrently with a short timeout', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const findings = await detect({
        timeoutMs: 300,
        getAnthropicKey: async () => {
          throw new Error('keychain locked');
        },
        ollamaHost: url,
        openAiServers: [{ baseURL: `${url}/v1` }, { baseURL: `${url}/other/v1` }],
      });
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 900, `three 300 ms probes ran at once (took ${elapsed} ms)`);
      assert.match(findings[1].detail, /Could not check: keychain locked/);
      assert.match(findings[2].detail, /did not answer in time/);
      assert.match(findings[3].detail, /did not answer in time/);
      assert.equal(findings.length, 5);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
