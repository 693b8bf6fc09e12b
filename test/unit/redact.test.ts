import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact } from '../../src/core/redact';

describe('log redaction', () => {
  it('removes known secret values and anything shaped like a key or auth header', () => {
    const line = 'key sk-ant-api03-abcdefghijkl and sk-proj-1234567890abcdefXYZ; x-api-key: hunter2hunter2; Authorization: Bearer tok.en.value; custom my-own-secret-value';
    const out = redact(line, ['my-own-secret-value']);
    for (const secret of ['sk-ant-api03-abcdefghijkl', 'sk-proj-1234567890abcdefXYZ', 'hunter2hunter2', 'tok.en.value', 'my-own-secret-value']) {
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    }
    assert.match(out, /x-api-key: «redacted»/);
    assert.match(out, /Bearer «redacted»/);
    assert.equal(redact('nothing secret here'), 'nothing secret here');
  });
});
