import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { framework, frameworkCode } from '../support/framework-sources';

/**
 * No file under framework/ reaches into a library's private fields (issue 17): a release of ws, fastify,
 * node or any other dependency may rename them. Read from the TypeScript sources, comments left out. Private
 * here is the libraries' own convention, a member whose name starts with an underscore (ws's `_socket`,
 * node's `_peername`, `_httpMessage`, `_storeHeader`, `Module._load`):
 *
 * - no `x._name` or `x['_name']` unless it is `this._name` in a file whose class declares `_name` (stryke's own
 *   lazily-made fields), or one of stryke's own names below;
 * - no cast to a shape naming an underscore member (`x as unknown as { _name: ... }`, the way a private field
 *   gets read past the type checker), nor `Object.defineProperty`/`Reflect` on an underscore name.
 *
 * test/orm/no-private-access.test.ts adds the database layer's own rules (TypeORM imports, pg/mysql2/TypeORM
 * fields whose names carry no underscore).
 */


/** Underscore names that are stryke's own, not a library's. */
const OWN_NAMES: Record<string, string> = {
  _method: "the HTML form field that overrides a POST's method (a field of the request body stryke defines, docs/routing.md)",
};

/**
 * Accesses allowed although they read a library's private member: `file: name` and why there is no public
 * way. Each is owned by another concern's maintainer; none is in a request's hot path without a fallback.
 */
const ALLOWED: Record<string, string> = {};

const MEMBER = /(this|[\w$\])]+)\s*\??\.\s*(_[A-Za-z]\w*)|\[\s*['"`](_[A-Za-z]\w*)['"`]\s*\]/g;
const CAST_SHAPE = /\bas\s+(?:unknown\s+as\s+)?\{[^}]*?\b(_[A-Za-z]\w*)\s*\??\s*:/g;
const REFLECT = /(?:defineProperty|getOwnPropertyDescriptor|Reflect\.\w+)\(\s*[^,]+,\s*['"`](_[A-Za-z]\w*)['"`]/g;
const CLASS_FIELD = /^\s*(?:(?:private|protected|public|readonly|static|declare|override)\s+)*(_[A-Za-z]\w*)[?!]?\s*[:=;]/gm;

/** Each reach into a private member in `text` (a file's code): `line: text` and the name, less what is allowed. */
function reaches(rel: string, text: string): string[] {
  const own = new Set<string>();
  for (const m of text.matchAll(CLASS_FIELD)) own.add(m[1]!);
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const names: string[] = [];
    for (const m of line.matchAll(MEMBER)) {
      if (m[1] === 'this' && own.has(m[2]!)) continue;
      names.push(m[2] ?? m[3]!);
    }
    for (const m of line.matchAll(CAST_SHAPE)) names.push(m[1]!);
    for (const m of line.matchAll(REFLECT)) names.push(m[1]!);
    for (const name of new Set(names)) {
      if (name in OWN_NAMES || `${rel}: ${name}` in ALLOWED) continue;
      found.push(`${rel}:${i + 1}: ${name} in ${line.trim()}`);
    }
  });
  return found;
}

const files = frameworkCode();

describe("no library's private fields, anywhere in framework/", () => {
  it('reads the framework sources', () => {
    assert.ok(files.length > 100, `only ${files.length} files under ${framework}`);
    assert.ok(files.some((f) => f.rel === 'framework/channels/socket-events.ts'));
  });

  it('reaches no underscore member of a library object', () => {
    assert.deepEqual(files.flatMap((f) => reaches(f.rel, f.text)), []);
  });

  it('every allowed access is still there (an entry whose access is gone is removed)', () => {
    for (const key of Object.keys(ALLOWED)) {
      const [rel, name] = key.split(': ') as [string, string];
      const file = files.find((f) => f.rel === rel);
      assert.ok(file, `${rel} is gone: remove its entry`);
      assert.ok(file.text.includes(name), `${rel} no longer reads ${name}: remove its entry`);
    }
  });

  it('the rules catch what they are for', () => {
    const caught = (line: string) => reaches('framework/x/y.ts', line);
    for (const line of [
      '(c.socket as any)._socket?.uncork();',
      'if (raw && raw._peername) raw._peername = undefined;',
      'const res = raw?._httpMessage;',
      "const store = (ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader }).x;",
      "Object.defineProperty(Proto, '_storeHeader', { value: f });",
      "pool['_freeConnections'].length",
      'const load = (Module as any)._load;',
      'return this._socket;',
    ]) assert.notDeepEqual(caught(line), [], line);
    for (const line of [
      'private _params: Params | undefined = undefined;\nreturn this._params;',
      "delete data._method;",
      "const override = (req.body as { _method?: unknown } | undefined)?._method;",
      'const wire = this.wire;',
      "const name = '_csrf';",
    ]) assert.deepEqual(caught(line), [], line);
  });
});
