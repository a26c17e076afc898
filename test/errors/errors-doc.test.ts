import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(__dirname, '..', '..', '..');
const compiled = join(repo, 'build', 'framework');

/** Every coded error defined in a concern's errors.ts, by code: its concern and HTTP status. */
function registeredCodes(): Map<string, { concern: string; status: number }> {
  const codes = new Map<string, { concern: string; status: number }>();
  for (const concern of readdirSync(compiled)) {
    const file = join(compiled, concern, 'errors.js');
    if (!existsSync(file)) continue;
    for (const group of Object.values(require(file) as Record<string, unknown>)) {
      if (!group || typeof group !== 'object') continue;
      for (const factory of Object.values(group as Record<string, { code?: string; status?: number }>)) {
        if (typeof factory?.code !== 'string') continue;
        assert.ok(!codes.has(factory.code), `${factory.code} is defined twice (${codes.get(factory.code)?.concern} and ${concern})`);
        codes.set(factory.code, { concern, status: factory.status ?? 500 });
      }
    }
  }
  return codes;
}

/**
 * The bare `throw new Error(...)` left in framework/ on purpose: internal invariants a user cannot reach,
 * each with why. Anything a user (a developer, an operator, a request) can meet gets a code in its
 * concern's errors.ts and a row in docs/errors.md instead.
 */
const ALLOWED_BARE_THROWS: { file: string; text: string; reason: string }[] = [
  {
    file: 'framework/storage/disk.ts',
    text: 'unreachable: a checked key left the storage root',
    reason: 'defence in depth: every key is validated (STRYKE_E_STORAGE_*) before it reaches the disk service; this stops a bug in that check from writing outside the root',
  },
];

/** `throw new Error(` (or `throw Error(`, `throw new TypeError(`, `RangeError`) in the framework's TypeScript sources. */
function bareThrows(): { file: string; line: number; source: string }[] {
  const out: { file: string; line: number; source: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        readFileSync(full, 'utf8').split('\n').forEach((source, i) => {
          if (/\bthrow\s+(new\s+)?(Type|Range)?Error\s*\(/.test(source)) out.push({ file: relative(repo, full).split(sep).join('/'), line: i + 1, source: source.trim() });
        });
      }
    }
  };
  walk(join(repo, 'framework'));
  return out;
}

describe('docs/errors.md and the error registries', () => {
  const doc = readFileSync(join(repo, 'docs', 'errors.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\|\s*(STRYKE_E_[A-Z0-9_]+)\s*\|\s*([^|]*?)\s*\|/gm)].map((m) => [m[1]!, m[2]!]));
  const documented = new Set(rows.keys());
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

  it('gives each code the HTTP status it answers with ("-" only for errors that never answer a request, which keep the default 500)', () => {
    const wrong: string[] = [];
    for (const [code, { status }] of codes) {
      const shown = rows.get(code);
      if (shown === undefined) continue; // reported by 'documents every code'
      if (shown === '-' ? status !== 500 : Number(shown) !== status) wrong.push(`${code}: docs say ${shown}, errors.ts says ${status}`);
    }
    assert.deepEqual(wrong, [], `fix the status column of docs/errors.md (or the code's status):\n${wrong.join('\n')}`);
  });

  it('leaves no bare `throw new Error(` (nor TypeError, RangeError) in framework/ outside the allow-list of internal invariants', () => {
    const found = bareThrows();
    const allowed = (t: { file: string; source: string }) => ALLOWED_BARE_THROWS.some((a) => a.file === t.file && t.source.includes(a.text));
    const bare = found.filter((t) => !allowed(t)).map((t) => `${t.file}:${t.line}: ${t.source}`);
    assert.deepEqual(bare, [], `give these a code in their concern's errors.ts and a row in docs/errors.md (or, for an internal invariant no user can reach, an entry with its reason in ALLOWED_BARE_THROWS):\n${bare.join('\n')}`);
    const unused = ALLOWED_BARE_THROWS.filter((a) => !found.some((t) => t.file === a.file && t.source.includes(a.text))).map((a) => `${a.file}: ${a.text}`);
    assert.deepEqual(unused, [], `remove these allow-list entries, which match no throw any more:\n${unused.join('\n')}`);
    for (const a of ALLOWED_BARE_THROWS) assert.ok(a.reason.length > 20, `give ${a.file}'s allowed throw a reason`);
  });
});
