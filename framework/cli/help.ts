import type { Command } from 'commander';

/**
 * Examples for `stryke <command> --help`, for the commands whose own file gives none. A command that
 * adds its own help text (`addHelpText('after', ...)`) keeps it and gets nothing from here.
 */
const EXAMPLES: Record<string, string[]> = {
  db: ['stryke db migrate', 'stryke db rollback --step 2', 'stryke db status', 'stryke db prepare -e test', 'DATABASE_URL=postgres://postgres@127.0.0.1/blog stryke db create'],
  'db create': ['stryke db create', 'stryke db create -e test'],
  'db drop': ['stryke db drop -e test'],
  'db migrate': ['stryke db migrate', 'stryke db migrate --to 20260426120000', 'stryke db migrate -e production', 'stryke db migrate --json        progress as JSON lines, for scripts'],
  'db rollback': ['stryke db rollback', 'stryke db rollback --step 3'],
  'db status': ['stryke db status', 'stryke db status --json        the migrations and their state, for scripts'],
  'db redo': ['stryke db redo', 'stryke db redo --step 2'],
  'db seed': ['stryke db seed', 'stryke db seed -e test --quiet'],
  'db setup': ['stryke db setup', 'stryke db setup -e test', 'stryke db setup --json'],
  'db reset': ['stryke db reset', 'stryke db reset -e test --quiet'],
  'db schema:dump': ['stryke db schema:dump'],
  'db schema:load': ['stryke db schema:load -e test'],
  'db check-reversible': ['stryke db check-reversible'],
  'db diff': ['stryke db diff --dry-run', 'stryke db diff --name AddRatingToPosts', 'stryke db diff --rename posts.title:headline', 'stryke db diff --new posts.summary --allow-destructive'],
  'db prepare': ['stryke db prepare', 'STRYKE_ENV=production stryke db prepare --quiet'],
  start: ['stryke start', 'stryke start --port 8080 --workers 4 -e production', 'PORT=8080 stryke start'],
  server: ['stryke server', 'stryke server --port 4000 --host 127.0.0.1'],
  dev: ['stryke dev', 'stryke dev --port 4000'],
  build: ['stryke build', 'stryke build --root ../blog --out /srv/blog', 'stryke build --json        progress and the files as JSON lines'],
  routes: ['stryke routes', 'stryke routes --grep posts', 'stryke routes --json'],
  test: ['stryke test', 'stryke test --root ../blog'],
  lint: ['stryke lint', 'stryke lint --json'],
  jobs: ['stryke jobs work', 'stryke jobs stats', 'stryke jobs list --state failed', 'stryke jobs retry --queue mailers'],
  'jobs work': ['stryke jobs work', 'stryke jobs work --queues default,mailers --concurrency 4', 'STRYKE_ENV=production stryke jobs work'],
  'jobs stats': ['stryke jobs stats', 'stryke jobs stats --queues mailers --json'],
  'jobs list': ['stryke jobs list', 'stryke jobs list --queue mailers --state delayed --limit 50', 'stryke jobs list --json'],
  'jobs retry': ['stryke jobs retry', 'stryke jobs retry 17 18', 'stryke jobs retry --queue mailers'],
  credentials: ['stryke credentials edit', 'stryke credentials show', 'EDITOR="code --wait" stryke credentials edit'],
  'credentials edit': ['stryke credentials edit', 'EDITOR=nano stryke credentials edit', 'STRYKE_MASTER_KEY=... stryke credentials edit --root ../blog'],
  'credentials show': ['stryke credentials show', 'stryke credentials show | grep aws'],
  prof: ['stryke prof --path /posts', 'stryke prof --path /posts --seconds 30 --out tmp/posts.html', 'stryke prof -e development --path /'],
  'jobs purge': ['stryke jobs purge', 'stryke jobs purge --state completed', 'stryke jobs purge --queue mailers --all'],
};

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds an Examples section to every command (and subcommand) that has none of its own. */
export function addExamples(program: Command): void {
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      const path = pathOf(sub);
      // A command with no examples of its own shows how to run it (and its subcommands).
      const examples = EXAMPLES[path] ?? (sub.commands.length ? sub.commands.map((c) => `stryke ${path} ${c.name()}`) : [`stryke ${path}`]);
      if ((sub as unknown as NodeJS.EventEmitter).listenerCount('afterHelp') === 0) {
        sub.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
      }
      visit(sub);
    }
  };
  visit(program);
}

/** The examples of `stryke --help`. */
export const PROGRAM_EXAMPLES = `
Examples:
  stryke new blog                                      a new app in ./blog (SQLite)
  stryke generate scaffold Post title:string body:text HTML and JSON CRUD, with tests
  stryke db migrate                                    apply pending migrations
  stryke dev                                           serve on :3000, restart on change
  stryke console                                       a REPL with the app booted
  stryke destroy scaffold Post                         remove what the scaffold made

\`stryke <command> --help\` for a command's options and examples. Docs: docs/cli.md.`;
