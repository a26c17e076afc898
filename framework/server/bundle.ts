/**
 * `stryke build`'s bundling: after tsc has emitted the app (with its decorator metadata) and dist/ is assembled,
 * esbuild takes the compiled JavaScript (the CLI's serving path, the framework, the app's modules and the
 * packages they load) into one file. Two shapes:
 *
 * - `server` (`dist/server.js`): what `stryke start`'s workers run. Native addons, database drivers, TypeORM
 *   and the S3 client stay outside (required from node_modules when used).
 * - `single` (the script of `stryke build --single`, framework/server/single.ts): everything, for a machine with
 *   no node_modules; native addons are carried as assets and loaded from a private temporary folder.
 *
 * The app's modules stay addressable by path (the framework requires them through `requireAppFile`, which the
 * bundle's entry points at its own copies: bundled.ts), and each says which file it is while it loads, so
 * decorators record their source as they do unbundled.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import type * as Esbuild from 'esbuild';
import { walkFiles } from '../support';
import { FASTIFY_DEPENDENCIES } from '../support';

export type BundleShape = 'server' | 'single';

import { SERVER_BUNDLE } from './bundle-name';
import { CODE_CACHE_LOADER, CODE_CACHE_WRAPPER } from './code-cache-loader';
import { BUNDLED_PACKAGES } from './bundled';

export { SERVER_BUNDLE };

const FRAMEWORK = join(__dirname, '..');

/** Packages some dependency may require that are not installed (optional peers): never bundled. */
const OPTIONAL = [
  'pg-native', 'pg-query-stream', 'pg-cloudflare', 'mongodb', 'mssql', 'oracledb', 'redis', 'sql.js', 'sqlite3', 'mysql', '@sap/hana-client',
  '@sap/hana-client/extension/Stream', 'hdb-pool', 'typeorm-aurora-data-api-driver', 'react-native-sqlite-storage', '@google-cloud/spanner',
  '@capacitor-community/sqlite', 'expo-sqlite', 'bufferutil', 'utf-8-validate', 'kerberos', 'snappy', 'aws4', 'mongodb-client-encryption',
  '@mongodb-js/zstd', 'gcp-metadata', 'socks', 'msgpackr-extract', 'esbuild', 'postject', 'typescript', 'playwright-core', 'pino-pretty',
  'supports-color', '@aws-sdk/signature-v4-crt', '@aws-sdk/credential-providers', 'aws-crt', 'ts-node', 'source-map-support',
];
/**
 * Left to node_modules by the server bundle: native addons, the database drivers and TypeORM, and what the
 * framework loads only on first use (mail, validation, schema compilers, metrics, tracing, S3): a bundle's
 * every byte is parsed at start and its source held in memory, used or not.
 */
const SERVER_EXTERNAL = [
  'better-sqlite3', '@node-rs/*', 'typeorm', 'pg', 'mysql2', '@aws-sdk/*', '@smithy/*', 'nodemailer', 'class-validator', 'libphonenumber-js',
  'validator', 'ajv', 'ajv-formats', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'prom-client', '@opentelemetry/api',
  // The job queue's engine: its workers start after the first response (a Redis queue's connection, or a database
  // queue's polling), so its 2 MB need not be parsed before it.
  'bullmq', 'ioredis', 'luxon', 'cron-parser', 'msgpackr', 'qs',
  // Required with the first IPv6 client of a rate-limited route (rate-limit/limiter.ts), with ip-address.
  '@fastify/rate-limit',
  // Required with the first static file served (assets/files.ts): mime-db is 230 KB of JSON.
  'mime-types',
];
/**
 * Left to node_modules by the server bundle under their exact names only: Handlebars' compiler (`handlebars`,
 * with source-map: about 200 KB) is required where templates are compiled (the job dashboard's first page, views
 * not precompiled); a build's views render on `handlebars/runtime`, which stays in the bundle.
 */
const SERVER_EXTERNAL_EXACT = /^handlebars$/;
/** fastify's dependencies loaded on a route's first schema: required from fastify's folder at run time, not bundled. */
const FASTIFY_LAZY = new Set<string>(['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler']);

export interface BundleResult {
  file: string;
  bytes: number;
  /** Native addons to carry (single): asset name -> file. */
  natives: Record<string, string>;
}

/** The entry esbuild starts from: the app's module table, then the CLI (which runs the command given). */
function entrySource(out: string, shape: BundleShape): string {
  const files = walkFiles(join(out, 'build'), (n) => n.endsWith('.js')).filter((f) => !/[\\/]test-output[\\/]/.test(f));
  const rows = files.map((f) => {
    const rel = relative(out, f).split(sep).join('/');
    return `  ${JSON.stringify(rel)}: () => require(${JSON.stringify(`./${rel}`)}),`;
  });
  const single = shape === 'single';
  return [
    `'use strict';`,
    single ? SINGLE_PRELUDE : '',
    `const { installBundle${single ? ', loadEmbeddedAddon' : ''} } = require(${JSON.stringify(join(FRAMEWORK, 'server', 'bundled.js'))});`,
    single ? `globalThis.__strykeNative = loadEmbeddedAddon;` : '',
    // The app's files (config/, public/, the build's tree) answered from the executable's assets (embedded-files.ts).
    single ? `require(${JSON.stringify(join(FRAMEWORK, 'server', 'embedded-files.js'))}).installCarriedFiles(strykeRoot);` : '',
    `installBundle(${single ? 'strykeRoot' : '__dirname'}, {`,
    ...rows,
    single ? `}, { ${singlePackages().map(([n, file]) => `${JSON.stringify(n)}: () => require(${JSON.stringify(file)})`).join(', ')} });` : `});`,
    // The server bundle holds the serving commands only; a single executable the whole command line (db migrate...).
    `require(${JSON.stringify(join(FRAMEWORK, 'cli', single ? 'bin.js' : 'serve-main.js'))});`,
    '',
  ].join('\n');
}

/** The database drivers TypeORM requires by a computed name: a single executable carries them (no node_modules to find them in). */
const SINGLE_PACKAGES = ['better-sqlite3', 'pg', 'mysql2'];

/** Those installed here, with their entry files. */
function singlePackages(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const name of SINGLE_PACKAGES) {
    try {
      found.push([name, require.resolve(name)]);
    } catch {
      /* not installed: an app on that database cannot run from this executable */
    }
  }
  return found;
}

/**
 * A single executable's command line: a cluster worker gets the binary's path once more (node passes the
 * primary's script, here the binary, as an argument), and the app is the folder the binary sits in unless
 * `--root` says otherwise.
 */
const SINGLE_PRELUDE = `
if (require('node:cluster').isWorker && process.argv[1] === process.argv[0]) process.argv.splice(1, 1);
const strykeRootGiven = (() => {
  const i = process.argv.indexOf('--root');
  if (i > 1) return process.argv[i + 1];
  const a = process.argv.find((x) => x.startsWith('--root='));
  return a && a.slice('--root='.length);
})();
const strykeRoot = require('node:path').resolve(strykeRootGiven || require('node:path').dirname(process.execPath));
if (['start', 'server', 'db', 'jobs', 'routes', 'console'].includes(process.argv[2]) && !strykeRootGiven) process.argv.push('--root', strykeRoot);
`;

// A single executable's script gets a require for node's own modules only: the bundle's externals and the app's
// files (by path) need the ordinary one. A name the executable carries a package for (TypeORM requires its database
// drivers by a computed name, which esbuild cannot follow) is answered from the bundle first (bundled.ts's
// installBundle fills the table before anything requires a driver).
const SINGLE_BANNER = `require = (() => {
const base = require('node:module').createRequire(process.execPath);
const carried = Symbol.for(${JSON.stringify(BUNDLED_PACKAGES.description)});
const own = Object.prototype.hasOwnProperty;
const bundled = (id) => { const table = globalThis[carried]; return table && own.call(table, id) ? table[id]() : base(id); };
return Object.assign(bundled, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions });
})();`;

/**
 * The server bundle's externals are required from node_modules as found from dist/ (the app's, when dist/ is
 * inside it), then from the stryke package this build was made with, when it is still there.
 */
function serverBanner(): string {
  const pkg = join(FRAMEWORK, '..', '..');
  const dirs = [join(pkg, 'node_modules'), dirname(pkg)].filter((d) => basename(d) === 'node_modules');
  return `for (const d of ${JSON.stringify(dirs)}) if (!module.paths.includes(d) && require('node:fs').existsSync(d)) module.paths.push(d);`;
}

/** esbuild's plugins: the app's modules say which file they are; fastify's dependencies resolve statically; addons (single). */
function plugins(out: string, shape: BundleShape, natives: Record<string, string>): Esbuild.Plugin[] {
  const appBuild = join(out, 'build') + sep;
  const fromFastify = createRequire(require.resolve('fastify'));
  const list: Esbuild.Plugin[] = [{
    name: 'stryke-app-modules',
    setup(build) {
      if (shape === 'server') build.onResolve({ filter: SERVER_EXTERNAL_EXACT }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(appBuild)) return undefined;
        const rel = relative(out, args.path).split(sep).join('/');
        let code = readFileSync(args.path, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/, '');
        const strict = /^\s*["']use strict["'];/.exec(code);
        if (strict) code = code.slice(strict[0].length);
        // The module body in a block: the registry asks which file is loading (registry/source.ts).
        return { contents: `${strict ? '"use strict";' : ''}__strykeEnter(${JSON.stringify(rel)});try{${code}\n}finally{__strykeLeave()}`, loader: 'js', resolveDir: dirname(args.path) };
      });
      build.onLoad({ filter: /[\\/]support[\\/]fastify-deps\.js$/ }, (args) => {
        if (!args.path.startsWith(FRAMEWORK)) return undefined;
        const rows = FASTIFY_DEPENDENCIES.map((id) =>
          shape === 'server' && FASTIFY_LAZY.has(id)
            ? `  ${JSON.stringify(id)}: () => require('node:module').createRequire(require.resolve('fastify'))(${JSON.stringify(id)}),`
            : `  ${JSON.stringify(id)}: () => require(${JSON.stringify(fromFastify.resolve(id))}),`,
        );
        return {
          contents: `'use strict';\nconst table = {\n${rows.join('\n')}\n};\nexports.FASTIFY_DEPENDENCIES = Object.keys(table);\nexports.fastifyRequire = (id) => table[id]();\n`,
          loader: 'js', resolveDir: dirname(args.path),
        };
      });
    },
  }];
  if (shape === 'single') {
    list.push({
      name: 'stryke-native-addons',
      setup(build) {
        // The app's `stryke` imports are the framework making this build, wherever dist/ is written (`--out` outside
        // the app has no node_modules/stryke above it); its package exports map the subpaths.
        const self = createRequire(join(FRAMEWORK, '..', '..', 'package.json'));
        build.onResolve({ filter: /^stryke(\/[\w/-]+)?$/ }, (args) => {
          try {
            return { path: self.resolve(args.path) };
          } catch {
            return undefined;
          }
        });
        // better-sqlite3 finds its addon through `bindings`: hand it the carried one.
        build.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'stryke-native' }));
        build.onLoad({ filter: /.*/, namespace: 'stryke-native' }, () => {
          const sqlite = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
          natives['better_sqlite3.node'] = sqlite;
          return { contents: `module.exports = (name) => globalThis.__strykeNative(String(name).endsWith('.node') ? String(name) : String(name) + '.node');`, loader: 'js' };
        });
        build.onLoad({ filter: /\.node$/ }, (args) => {
          natives[basename(args.path)] = args.path;
          return { contents: `module.exports = globalThis.__strykeNative(${JSON.stringify(basename(args.path))});`, loader: 'js' };
        });
      },
    });
  }
  return list;
}

/**
 * Rewrites the bundle's non-ASCII characters as `\\uXXXX` escapes. esbuild escapes them in strings but leaves
 * those of comments and regular expressions, and one such character makes V8 hold the whole source (several
 * megabytes, kept for lazy compilation) as a two-byte string: twice the memory. An escape means the same
 * character in a regular expression, a string or an identifier, and nothing in a comment.
 */
function asciiOnly(file: string): void {
  if (!existsSync(file)) return;
  const code = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(code)) return;
  // eslint-disable-next-line no-control-regex
  writeFileSync(file, code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Bundles the serving code of the assembled build in `out` (dist/) into `file`. */
export async function bundleBuild(out: string, shape: BundleShape, file = join(out, SERVER_BUNDLE), options: { codeCache?: boolean; root?: string } = {}): Promise<BundleResult> {
  // With a code cache the bundle is server-bundle.js, and server.js the loader that compiles it with its cache.
  const bundleFile = shape === 'server' && options.codeCache ? join(dirname(file), 'server-bundle.js') : file;
  const esbuild = require('esbuild') as typeof Esbuild;
  const entry = join(out, `.stryke-entry-${process.pid}.js`);
  writeFileSync(entry, entrySource(out, shape));
  const natives: Record<string, string> = {};
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile: bundleFile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // Not minified: V8 compiles a minifier's wrapped functions eagerly (measured: more memory, no faster). Only the
      // whitespace goes (the same code, names and functions; a stack trace's column moves): V8 holds the whole source
      // for lazy compilation, and whitespace was a third of it (3.3 -> 2.2 MB; measured: 0.8 MiB less per worker).
      minify: false,
      minifyWhitespace: true,
      keepNames: false,
      legalComments: 'none',
      logLevel: 'silent',
      external: [...OPTIONAL, ...(shape === 'server' ? SERVER_EXTERNAL : [])],
      banner: { js: shape === 'single' ? SINGLE_BANNER : serverBanner() },
      // The app's packages (`stryke` among them) as found from the app, when `out` is not inside it (`--out`).
      nodePaths: options.root ? [join(options.root, 'node_modules')] : [],
      plugins: plugins(out, shape, natives),
    });
  } finally {
    rmSync(entry, { force: true });
  }
  asciiOnly(bundleFile);
  if (bundleFile !== file) {
    writeFileSync(bundleFile, `${CODE_CACHE_WRAPPER[0]}${readFileSync(bundleFile, 'utf8')}${CODE_CACHE_WRAPPER[1]}`);
    writeFileSync(file, CODE_CACHE_LOADER);
  }
  return { file, bytes: existsSync(bundleFile) ? readFileSync(bundleFile).length : 0, natives };
}
