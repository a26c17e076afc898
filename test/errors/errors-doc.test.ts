import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(__dirname, '..', '..', '..');
const compiled = join(repo, 'build', 'framework');

/** Every coded error defined in a concern's errors.ts, by code. */
function registeredCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const concern of readdirSync(compiled)) {
    const file = join(compiled, concern, 'errors.js');
    if (!existsSync(file)) continue;
    for (const group of Object.values(require(file) as Record<string, unknown>)) {
      if (!group || typeof group !== 'object') continue;
      for (const factory of Object.values(group as Record<string, { code?: string }>)) {
        if (typeof factory?.code !== 'string') continue;
        assert.ok(!codes.has(factory.code), `${factory.code} is defined twice (${codes.get(factory.code)} and ${concern})`);
        codes.set(factory.code, concern);
      }
    }
  }
  return codes;
}

describe('docs/errors.md and the error registries', () => {
  const doc = readFileSync(join(repo, 'docs', 'errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\|\s*(STRYKE_E_[A-Z0-9_]+)\s*\|/gm)].map((m) => m[1]!));
  const codes = registeredCodes();

  it('finds the registries', () => {
    assert.ok(codes.size > 20, `only ${codes.size} codes found under ${compiled}`);
  });

  it('documents every code', () => {
    const missing = [...codes.keys()].filter((c) => !documented.has(c));
    assert.deepEqual(missing, [], `add rows to docs/errors.md for: ${missing.join(', ')}`);
  });

  it('documents no code that does not exist', () => {
    const stale = [...documented].filter((c) => !codes.has(c));
    assert.deepEqual(stale, [], `remove or fix rows in docs/errors.md: ${stale.join(', ')}`);
  });

  it('names codes after their concern', () => {
    for (const code of codes.keys()) assert.match(code, /^STRYKE_E_[A-Z]+_[A-Z0-9_]+$/);
  });
});
