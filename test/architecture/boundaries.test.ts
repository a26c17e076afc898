import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { framework, repo, sources } from '../support/framework-sources';

// The concern boundaries of docs/architecture.md ("Concerns and their surfaces"), read from the sources: each
// folder under framework/ is a concern; another concern may import its index.ts (`../orm`) or, for what the
// framework needs and users must not reach, its internal.ts (`../orm/internal`), never another of its files.


interface Edge {
  /** framework-relative file and 1-based line of the import. */
  file: string;
  line: number;
  specifier: string;
  from: string | null;
  to: string;
  /** The file imported, relative to the concern (`index`, `internal`, `sql/backend`...). */
  module: string;
  /** A value import run when the importing module loads (not `import type`, not a `require()` inside a function). */
  atLoad: boolean;
}

const concernOf = (file: string): string | null => {
  const parts = relative(framework, file).split(sep);
  return parts.length > 1 ? parts[0] : null;
};

function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/**
 * Every import of another concern's file from framework/**: static imports and re-exports, `import('...')` types,
 * `require('...')` and `require.resolve('...')` (a probe of whether a module was loaded names a surface too).
 */
function crossConcernImports(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sources(framework)) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const from = concernOf(file);
    const record = (literal: ts.StringLiteral, atLoad: boolean) => {
      if (!literal.text.startsWith('.')) return;
      const target = relative(framework, resolve(dirname(file), literal.text));
      if (target.startsWith('..')) return;
      const parts = target.split(sep);
      const to = parts[0];
      if (to === from || (parts.length === 1 && to === 'index')) return;
      edges.push({
        file: relative(repo, file), line: sf.getLineAndCharacterOfPosition(literal.getStart(sf)).line + 1, specifier: literal.text, from, to,
        module: parts.length === 1 ? 'index' : parts.slice(1).join('/'), atLoad,
      });
    };
    const visit = (node: ts.Node, topLevel: boolean) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        record(node.moduleSpecifier, !typeOnly(node));
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        record(node.argument.literal, false);
      } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
        && ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword
          || node.expression.getText(sf) === 'require.resolve')) {
        record(node.arguments[0], topLevel);
      }
      const inner = topLevel && !ts.isFunctionLike(node);
      ts.forEachChild(node, (child) => visit(child, inner));
    };
    visit(sf, true);
  }
  return edges;
}

const where = (e: Edge) => `${e.file}:${e.line} imports '${e.specifier}'`;

describe('concern boundaries (docs/architecture.md)', () => {
  const edges = crossConcernImports();

  it('finds the imports it checks (the scan reads the sources)', () => {
    assert.ok(edges.length > 200, `only ${edges.length} cross-concern imports found under ${framework}`);
    assert.ok(edges.some((e) => e.from === 'app' && e.to === 'http'), 'create-app imports http');
  });

  it('imports another concern only through its index.ts or internal.ts', () => {
    const past = edges.filter((e) => e.module !== 'index' && e.module !== 'internal');
    assert.deepEqual(past.map(where), [], `imports reaching past another concern's index.ts:\n${past.map(where).join('\n')}`);
  });

  it('gives every concern an index.ts', () => {
    const missing = readdirSync(framework).filter((n) => statSync(join(framework, n)).isDirectory() && !readdirSync(join(framework, n)).includes('index.ts'));
    assert.deepEqual(missing, []);
  });

  it('no concerns import each other in a circle when their modules load (the layers of docs/architecture.md)', () => {
    // One import per edge (the first found), for the message.
    const atLoad = new Map<string, Map<string, Edge>>();
    for (const e of edges) {
      if (!e.atLoad || !e.from) continue;
      const out = atLoad.get(e.from) ?? new Map<string, Edge>();
      if (!out.has(e.to)) out.set(e.to, e);
      atLoad.set(e.from, out);
    }
    const cycles: string[] = [];
    const done = new Set<string>();
    const walk = (concern: string, path: string[]) => {
      if (path.includes(concern)) {
        const ring = [...path.slice(path.indexOf(concern)), concern];
        cycles.push(`${ring.join(' -> ')}:\n${ring.slice(1).map((to, i) => `  ${where(atLoad.get(ring[i])!.get(to)!)}`).join('\n')}`);
        return;
      }
      if (done.has(concern)) return;
      for (const to of atLoad.get(concern)?.keys() ?? []) walk(to, [...path, concern]);
      done.add(concern);
    };
    for (const concern of [...atLoad.keys()].sort()) walk(concern, []);
    assert.deepEqual(cycles, [], `concerns importing each other at load:\n${cycles.join('\n')}`);
  });

  it('docs/architecture.md shows the layers as the load-time imports make them', () => {
    const deps = new Map<string, Set<string>>();
    for (const concern of readdirSync(framework).filter((n) => statSync(join(framework, n)).isDirectory())) deps.set(concern, new Set());
    for (const e of edges) if (e.atLoad && e.from) deps.get(e.from)!.add(e.to);
    const layer = new Map<string, number>();
    const depth = (c: string): number => {
      if (layer.has(c)) return layer.get(c)!;
      layer.set(c, 0); // a circle (reported by the test above) must not recurse forever here
      const d = Math.max(-1, ...[...deps.get(c)!].map(depth)) + 1;
      layer.set(c, d);
      return d;
    };
    const computed = new Map<number, string[]>();
    for (const c of [...deps.keys()].sort()) computed.set(depth(c), [...(computed.get(depth(c)) ?? []), c]);
    const doc = readFileSync(join(repo, 'docs', 'architecture.md'), 'utf8');
    const documented = new Map<number, string[]>();
    for (const m of doc.matchAll(/^\| (\d+) \| ((?:`[a-z-]+`(?:, )?)+) \|$/gm)) documented.set(Number(m[1]), [...m[2].matchAll(/`([a-z-]+)`/g)].map((n) => n[1]!).sort());
    const show = (m: Map<number, string[]>) => [...m].sort((a, b) => a[0] - b[0]).map(([n, cs]) => `| ${n} | ${cs.map((c) => `\`${c}\``).join(', ')} |`).join('\n');
    assert.equal(show(documented), show(computed), 'the layer table in docs/architecture.md ("Concerns and their surfaces") should read as above');
  });

  it('publishes no internal.ts as a package subpath, and no index.ts re-exports one', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const published = JSON.stringify(pkg.exports);
    assert.doesNotMatch(published, /internal/, 'package.json "exports" names an internal module');
    const reexporting = sources(framework).filter((f) => f.endsWith(`${sep}index.ts`) && /export[^;]*from '[^']*\binternal'/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(reexporting.map((f) => relative(repo, f)), [], 'an index.ts re-exports an internal.ts');
  });

  it("keeps heavy parts behind their index: the server concern (stryke start's cluster primary) loads no app code", () => {
    // A fresh process: this one has loaded the framework already.
    const probe = `require(${JSON.stringify(join(repo, 'build', 'framework', 'server'))});
      const heavy = ['fastify', 'typeorm', 'handlebars', 'bullmq', 'better-sqlite3', 'typescript'];
      console.log(JSON.stringify(heavy.filter((p) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + p + '/')))));`;
    const res = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout.trim()), [], 'loaded by requiring framework/server');
  });

  it('keeps the ORM, jobs, storage and mailers internals out of their package subpaths', () => {
    const orm = require(join(repo, 'build', 'framework', 'orm')) as Record<string, unknown>;
    const jobs = require(join(repo, 'build', 'framework', 'jobs')) as Record<string, unknown>;
    for (const name of ['bindModels', 'dialectFor', 'metaOf', 'transactionStore']) assert.equal(name in orm, false, `stryke/orm exports ${name}`);
    for (const name of ['SqlQueueBackend', 'jobRegistry', 'ensureJobs', 'mountJobsDashboard']) assert.equal(name in jobs, false, `stryke/jobs exports ${name}`);
    const storage = require(join(repo, 'build', 'framework', 'storage')) as Record<string, unknown>;
    const mailers = require(join(repo, 'build', 'framework', 'mailers')) as Record<string, unknown>;
    for (const name of ['configureStorage', 'resetStorage']) assert.equal(name in storage, false, `stryke/storage exports ${name}`);
    for (const name of ['bootMailers', 'closeMailers', 'mailerRegistry']) assert.equal(name in mailers, false, `stryke/mailers exports ${name}`);
    assert.equal(typeof orm.ActiveRecord, 'function');
    assert.equal(typeof jobs.Job, 'function');
  });
});
