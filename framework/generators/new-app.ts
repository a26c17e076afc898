import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createCredentials } from '../credentials';
import { nearest } from '../support';
import { applyPlan, FRAMEWORK_ROOT, renderSchematics, statusLine, type ApplyOptions, type Outcome } from './engine';
import { GeneratorErrors } from './errors';
import { appNames } from './names';
import { authLocals } from './auth';
import { adminLocals, withAdminField } from './admin';
import { withPwaTags } from './pwa';
import { appKind, composeEverything } from './everything';

export const DATABASES = ['sqlite', 'postgres', 'mysql'] as const;
export type DatabaseChoice = (typeof DATABASES)[number];
const DATABASE_ALIASES: Record<string, DatabaseChoice> = {
  sqlite: 'sqlite', sqlite3: 'sqlite', postgres: 'postgres', postgresql: 'postgres', pg: 'postgres', mysql: 'mysql', mariadb: 'mysql',
};

export interface NewAppOptions {
  database?: string;
  /** Do not link node_modules/stryke to this framework checkout. */
  skipInstall?: boolean;
  /** A JSON-only app: no views, layout or stylesheet; scaffolds answer JSON only. */
  api?: boolean;
  /** Write a Dockerfile and .dockerignore for a production image. */
  docker?: boolean;
  /** Write a GitHub Actions workflow that runs the app's tests. */
  ci?: boolean;
  /** Also run `generate auth`: sign-up, sign-in, sign-out and password reset. */
  auth?: boolean;
  /** Also run `generate admin` (implies auth): /admin for every model. */
  admin?: boolean;
  /** Also run `generate pwa`: manifest, icons, service worker, offline page. */
  pwa?: boolean;
  /** A ready-made app composed of the generators: `everything` (auth, admin, PWA, Docker, CI, a scaffold with uploads, a mailer, a job, a channel). */
  app?: string;
  log?: (line: string) => void;
  paint?: ApplyOptions['paint'];
  /** Runs each long part (writing the files, linking) as a reported step; its file lines are the step's details. */
  step?: StepRunner;
}

/** A part of `stryke new`: its id, what it is doing and what it did; `detail` takes its file lines. */
export type StepRunner = <T>(labels: { id: string; doing: string; done: string }, fn: (step: { detail(line: string): void }) => T) => T;

export function databaseChoice(given: string): DatabaseChoice {
  const d = DATABASE_ALIASES[given.toLowerCase()];
  if (d) return d;
  const guess = nearest(given, Object.keys(DATABASE_ALIASES));
  throw GeneratorErrors.UNKNOWN_DATABASE(given, guess ? ` Did you mean "${DATABASE_ALIASES[guess]}"?` : '');
}

/**
 * Links the app to this framework checkout, as `npm install` of its `file:` dependency would, but
 * offline and at once: node_modules/stryke -> the checkout, node_modules/.bin/stryke -> its CLI.
 */
function linkFramework(root: string): string[] {
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  symlinkSync(FRAMEWORK_ROOT, join(modules, 'stryke'), 'dir');
  symlinkSync(join(FRAMEWORK_ROOT, 'bin', 'stryke.js'), join(modules, '.bin', 'stryke'));
  return [`node_modules/stryke -> ${FRAMEWORK_ROOT}`, `node_modules/.bin/stryke -> ${join(FRAMEWORK_ROOT, 'bin', 'stryke.js')}`];
}

/**
 * `stryke new <dir>`: writes a complete app into a temporary folder beside `dir`, links it to the
 * framework, then renames it into place, so a failure leaves nothing half-written.
 */
export function newApp(dir: string, options: NewAppOptions = {}): { root: string; files: Outcome[]; links: string[] } {
  const log = options.log ?? ((line: string) => console.log(line));
  const step: StepRunner = options.step ?? ((_labels, fn) => fn({ detail: log }));
  const target = resolve(dir);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw GeneratorErrors.DIR_NOT_EMPTY(relative(process.cwd(), target) || target);
  }
  const names = appNames(basename(target));
  const database = databaseChoice(options.database ?? 'sqlite');
  const pkg = require(join(FRAMEWORK_ROOT, 'package.json')) as { version: string; devDependencies?: Record<string, string> };
  const kind = options.app === undefined ? undefined : appKind(options.app);
  if (kind === 'everything') {
    if (options.api) throw GeneratorErrors.APP_API(options.app!);
    options = { ...options, auth: true, admin: true, pwa: true, docker: true, ci: true };
  }
  if (options.admin) options = { ...options, auth: true };
  if (options.auth && options.api) throw GeneratorErrors.AUTH_API_APP();
  if (options.pwa && options.api) throw GeneratorErrors.PWA_API_APP();
  const schematics = ['app', ...(options.auth ? ['auth', 'mailer-base'] : []), ...(options.admin ? ['admin'] : []), ...(options.pwa ? ['pwa'] : [])];
  const files = renderSchematics(schematics, {
    ...(options.admin ? adminLocals(target, new Date(Date.now() + 1000)) : {}), title: names.title,
    app: names, database, frameworkRoot: FRAMEWORK_ROOT, frameworkVersion: pkg.version,
    api: !!options.api, docker: !!options.docker, ci: !!options.ci, nodeMajor: process.versions.node.split('.')[0],
    auth: !!options.auth, ...(options.auth ? authLocals(target) : {}), everything: kind === 'everything',
    // --app everything: its browser tests' driver, as the framework's own tests pin it (no browser download).
    playwrightRange: pkg.devDependencies?.['playwright-core'],
  })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (options.admin) for (const f of files) if (f.path === 'app/models/user.ts') f.content = withAdminField(f.content);
  if (options.pwa) for (const f of files) if (f.path === 'app/views/layouts/application.hbs') f.content = withPwaTags(f.content);

  // Build the app in a temporary folder, then move it into place: a failure leaves nothing behind.
  // An existing empty folder (`stryke new .`) keeps its identity: the files move into it.
  const existing = existsSync(target);
  const suffix = `.stryke-new-${randomBytes(4).toString('hex')}`;
  const tmp = existing ? join(target, suffix) : join(dirname(target), `.${basename(target)}${suffix}`);
  mkdirSync(dirname(tmp), { recursive: true });
  mkdirSync(tmp);
  const moved: string[] = [];
  let outcomes: Outcome[];
  const links: string[] = [];
  try {
    outcomes = step({ id: 'write', doing: `writing ${files.length} files`, done: `wrote ${files.length} files` },
      (s) => {
        const written = applyPlan(tmp, files, { log: (l) => s.detail(l), paint: options.paint });
        // The master key (git-ignored) and the encrypted credentials holding the app's secret_key_base.
        const secrets = createCredentials(tmp).map((path): Outcome => ({ path, status: 'create' }));
        for (const o of secrets) s.detail(statusLine('create', o.path, options.paint));
        // --app everything: the other parts, each written by its own generator, then the pages that join them.
        const composed = kind === 'everything' ? composeEverything(tmp, names, { log: (l) => s.detail(l), paint: options.paint }) : [];
        return [...written, ...secrets, ...composed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      });
    if (!options.skipInstall) {
      step({ id: 'link', doing: 'linking node_modules/stryke to this framework', done: 'linked node_modules/stryke to this framework' }, (s) => {
        links.push(...linkFramework(tmp));
        for (const l of links) s.detail(statusLine('link', l, options.paint));
      });
    }
    if (existing) {
      for (const entry of readdirSync(tmp)) {
        renameSync(join(tmp, entry), join(target, entry));
        moved.push(entry);
      }
      rmdirSync(tmp);
    } else {
      renameSync(tmp, target);
    }
  } catch (err) {
    for (const entry of moved) rmSync(join(target, entry), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const shown = relative(process.cwd(), target) || '.';
  const cd = shown.includes(' ') ? `"${shown}"` : shown;
  log('');
  log(`Your app is in ${shown}${database === 'sqlite' ? '' : ` (on ${database}: config/database.toml has the connection)`}. Next:`);
  if (target !== process.cwd()) log(`  cd ${cd}`);
  if (options.skipInstall) log('  npm install');
  if (kind === 'everything') {
    log('  npx stryke db migrate');
    log('  npx stryke db seed         # prints the admin\'s email and a new random password (development only)');
    log('  npx stryke dev             # then open http://localhost:3000 and sign in; the admin is at /admin');
    if (options.docker) log(`  docker build --build-context stryke=${FRAMEWORK_ROOT} -t ${names.packageName} .`);
    return { root: target, files: outcomes, links };
  }
  if (options.auth) log('  npx stryke db migrate            # creates the users, sessions and password_resets tables');
  if (options.admin) log('  then sign up, and make yourself an admin: see docs/admin.md ("Making an admin")');
  log('  npx stryke generate scaffold Post title:string body:text published:boolean');
  log('  npx stryke db migrate');
  log(`  npx stryke dev            # then open http://localhost:3000/posts${options.api ? '.json' : ''}`);
  if (options.docker) log(`  docker build --build-context stryke=${FRAMEWORK_ROOT} -t ${names.packageName} .`);
  return { root: target, files: outcomes, links };
}
