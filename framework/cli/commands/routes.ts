import type { Command } from 'commander';
import { buildDirOf, loadAppCode } from '../../app/loader';
import { registry } from '../../registry';
import { buildRouteTable, type RouteDef } from '../../routing/table';
import { camelize } from '../../support/inflect';
import { appRoot, compileApp } from '../app-root';
import { action } from '../output';

/** The route table of an app, read from its decorators without booting a server or a database. */
export function routeTable(root: string): RouteDef[] {
  loadAppCode(root);
  const decls = registry.within(registry.controllers, buildDirOf(root));
  return buildRouteTable(decls, registry.controllers);
}

export function formatRoutes(routes: RouteDef[]): string {
  const rows = routes.map((r) => [
    r.name ? `${camelize(r.name)}Path` : '',
    r.method,
    r.path,
    `${r.controller.name}#${r.action}`,
    r.filters.map((f) => `${f.kind}:${f.method}`).join(','),
  ]);
  const header = ['Helper', 'Verb', 'Path', 'Controller#Action', 'Filters'];
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
    .action(action(async (opts: { root?: string; grep?: string; json?: boolean }) => {
      const root = appRoot(opts.root);
      compileApp(root, { quiet: true });
      let routes = routeTable(root);
      if (opts.grep) {
        const needle = opts.grep.toLowerCase();
        routes = routes.filter((r) => `${r.name ?? ''} ${r.method} ${r.path} ${r.controller.name}#${r.action}`.toLowerCase().includes(needle));
      }
      if (opts.json) {
        console.log(JSON.stringify(routes.map((r) => ({ name: r.name, method: r.method, path: r.path, action: `${r.controller.name}#${r.action}` })), null, 2));
      } else {
        console.log(formatRoutes(routes));
      }
    }));
}
