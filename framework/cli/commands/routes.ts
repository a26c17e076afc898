import type { Command } from 'commander';
import { buildDirOf } from '../../app';
import { appRoutes } from '../../app';
import type { RouteDef } from '../../routing';
import { camelize } from '../../support';
import type * as RateLimit from '../../rate-limit/internal';
import { lazyModule } from '../../support';
import { appRoot, compileApp, writePathTypes } from '../app-root';
import { action } from '../output';
import { outputMode, Progress } from '../progress';

const { describeWindow, limitsFor } = lazyModule(() => require('../../rate-limit/internal') as typeof RateLimit);

/** The route table of an app, read from its decorators without booting a server or a database. */
export function routeTable(root: string): RouteDef[] {
  return appRoutes(root, buildDirOf(root)).routes;
}

/** `PostsController`, or `api/v1/PostsController` for a controller in a subfolder of app/controllers. */
function controllerLabel(r: RouteDef): string {
  const dir = r.controllerKey?.includes('/') ? r.controllerKey.slice(0, r.controllerKey.lastIndexOf('/') + 1) : '';
  return `${dir}${r.controller.name}`;
}

export function formatRoutes(routes: RouteDef[]): string {
  const rows = routes.map((r) => [
    r.name ? `${camelize(r.name)}Path` : '',
    r.kind === 'http' ? r.method : r.kind.toUpperCase(),
    r.constraints?.host ? `${r.path} (host ${r.constraints.host})` : r.path,
    r.kind === 'ws' ? controllerLabel(r) : `${controllerLabel(r)}#${r.action}`,
    [
      ...(r.filters.before ?? []).map((m) => `before:${m}`),
      ...(r.filters.around ?? []).map((m) => `around:${m}`),
      ...(r.filters.after ?? []).map((m) => `after:${m}`),
      ...r.middleware.map((m: any) => `use:${m?.name || 'middleware'}`),
      ...limitsFor(r.controller, r.controllerKey, r.action).map((l) => `limit:${l.max}/${describeWindow(l.per)}${l.by === 'user' ? ' by user' : ''}`),
    ].join(','),
  ]);
  const header = ['Helper', 'Verb', 'Path', 'Controller#Action', 'Filters and middleware'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function registerRoutes(program: Command): void {
  program
    .command('routes')
    .description('print every route: helper, verb, path, controller#action and filters')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('-g, --grep <text>', 'only routes whose line contains the text')
    .option('--json', 'print JSON')
    .option('--types', 'write app/paths.d.ts, which types the path helpers (a wrong name or argument becomes a tsc error)')
    .option('--no-build', 'do not compile first')
    .action(action(async (opts: { root?: string; grep?: string; json?: boolean; types?: boolean; build: boolean }) => {
      const root = appRoot(opts.root);
      // When the app changed since its last compile, say so (on stderr: stdout is the table, often piped).
      if (opts.build) await compileApp(root, { quiet: true, allowErrors: opts.types, progress: new Progress(outputMode({}, process.stderr), process.stderr) });
      let routes = routeTable(root);
      if (opts.types) {
        const changed = writePathTypes(root, routes);
        console.log(changed ? 'Wrote app/paths.d.ts' : 'app/paths.d.ts is up to date');
        return;
      }
      if (opts.grep) {
        const needle = opts.grep.toLowerCase();
        routes = routes.filter((r) => `${r.name ?? ''} ${r.method} ${r.path} ${controllerLabel(r)}#${r.action}`.toLowerCase().includes(needle));
      }
      if (opts.json) {
        console.log(JSON.stringify(routes.map((r) => ({ name: r.name, method: r.method, path: r.path, action: `${controllerLabel(r)}#${r.action}`, kind: r.kind })), null, 2));
      } else {
        console.log(formatRoutes(routes));
      }
    }));
}
