import type { Command } from 'commander';
import { newApp } from '../../generators';
import { action, paintStatus, type OutputOptions } from '../output';
import { Progress } from '../progress';

interface NewOptions extends OutputOptions {
  database: string;
  skipInstall?: boolean;
  api?: boolean;
  docker?: boolean;
  ci?: boolean;
  auth?: boolean;
  admin?: boolean;
  pwa?: boolean;
  app?: string;
}

const EXAMPLES = `
Examples:
  stryke new blog                           an app on SQLite in ./blog
  stryke new shop --database postgres       on PostgreSQL (127.0.0.1, user postgres)
  stryke new api --api                      a JSON API: no views, layout or stylesheet
  stryke new blog --docker --ci             with a Dockerfile and a GitHub Actions workflow
  stryke new blog --auth                    with sign-up, sign-in and password reset
  stryke new blog --admin                   with an admin at /admin (implies --auth)
  stryke new blog --pwa                     installable, with a service worker and an offline page
  stryke new demo --app everything          one app with every part: auth, admin, PWA, uploads, mail, a job,
                                            a channel, Docker and CI
  stryke new .                              fill the current (empty) folder
  stryke new blog --json                    progress and the files written, as JSON lines`;

export function registerNew(program: Command): void {
  program
    .command('new <dir>')
    .description('create a new app in <dir> (which must not exist, or be empty), linked to this stryke')
    .option('-d, --database <adapter>', 'sqlite, postgres or mysql', 'sqlite')
    .option('--api', 'a JSON-only app: no views, layout or assets; scaffolds answer JSON')
    .option('--docker', 'add a Dockerfile and .dockerignore for a production image')
    .option('--ci', 'add a GitHub Actions workflow (.github/workflows/ci.yml) that runs the tests')
    .option('--auth', 'add sign-up, sign-in, sign-out and password reset (what `stryke generate auth` writes)')
    .option('--admin', 'add an admin at /admin for every model (what `stryke generate admin` writes; implies --auth)')
    .option('--pwa', 'add a web app manifest, icons, a service worker and an offline page (what `stryke generate pwa` writes)')
    .option('--app <name>', 'a ready-made app composed of the generators: everything (auth, admin, PWA, uploads, a mailer, a job, a channel, --docker, --ci)')
    .option('--skip-install', 'do not link node_modules/stryke to this framework checkout (run `npm install` later)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress and the files written as JSON lines')
    .addHelpText('after', EXAMPLES)
    .action(action(async (dir: string, opts: NewOptions) => {
      const out = Progress.for(opts);
      const res = newApp(dir, {
        database: opts.database, skipInstall: opts.skipInstall, api: opts.api, docker: opts.docker, ci: opts.ci, auth: opts.auth, admin: opts.admin, pwa: opts.pwa, app: opts.app,
        log: out.json ? () => {} : (line) => out.info(line), paint: out.json ? undefined : paintStatus, step: (labels, fn) => out.stepSync(labels, fn),
      });
      out.result({ root: res.root, files: res.files.map((f) => ({ path: f.path, status: f.status })), links: res.links });
    }));
}
