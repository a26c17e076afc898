import { defineError } from '../support';

export const MigrationErrors = {
  UNKNOWN_TYPE: defineError('STRYKE_E_MIGRATION_UNKNOWN_TYPE', 'Unknown column type "%s" for %s.%s.%s Valid types: %s.'),
  UNKNOWN_OPTION: defineError('STRYKE_E_MIGRATION_UNKNOWN_OPTION', 'Unknown option "%s" for %s.%s Valid options: %s.'),
  BAD_OPTION: defineError('STRYKE_E_MIGRATION_BAD_OPTION', 'Bad option for %s: %s.'),
  IRREVERSIBLE: defineError('STRYKE_E_MIGRATION_IRREVERSIBLE', 'Migration %s cannot be rolled back: %s inside change() has no automatic inverse. Give the migration a down() as well.'),
  BAD_FILE: defineError('STRYKE_E_MIGRATION_BAD_FILE', '%s does not export a migration: write `export default migration(\'Name\', { change(m) { ... } })`.'),
  BAD_NAME: defineError('STRYKE_E_MIGRATION_BAD_NAME', 'Migration file %s must be named <14-digit timestamp>_<name>.ts, e.g. 20260426120000_create_posts.ts.'),
  FAILED: defineError('STRYKE_E_MIGRATION_FAILED', 'Migration %s (%s) failed%s: %s'),
  LOAD_FAILED: defineError('STRYKE_E_MIGRATION_LOAD_FAILED', 'Migration %s threw before running anything: %s'),
  NOT_COMPILED: defineError('STRYKE_E_MIGRATION_NOT_COMPILED', 'db/migrations has %s but no compiled %s in build/: run the app\'s TypeScript build (stryke does it before db commands; check tsconfig.json includes "db").'),
  LOCKED: defineError('STRYKE_E_MIGRATION_LOCKED', 'Another process is migrating %s (waited %ss for its lock). Let it finish and run the command again.'),
  UNKNOWN_VERSION: defineError('STRYKE_E_MIGRATION_UNKNOWN_VERSION', 'No migration has version %s.%s Run `stryke db status` for the list.'),
  SCHEMA_MISSING: defineError('STRYKE_E_MIGRATION_SCHEMA_MISSING', '%s does not exist: run `stryke db migrate` (or `stryke db schema:dump`) to write it.'),
  SCHEMA_BAD: defineError('STRYKE_E_MIGRATION_SCHEMA_BAD', '%s is not a schema dump stryke can read: %s. Write it again with `stryke db schema:dump`.'),
  SCHEMA_NOT_EMPTY: defineError('STRYKE_E_MIGRATION_SCHEMA_NOT_EMPTY', 'schema:load builds an empty database, and %s already has tables (%s). Use `stryke db reset` to start it again from the schema.'),
  NOT_REVERSIBLE: defineError('STRYKE_E_MIGRATION_NOT_REVERSIBLE', 'Migration %s is not reversible: %s'),
  DIFF_AMBIGUOUS: defineError('STRYKE_E_MIGRATION_DIFF_AMBIGUOUS', 'The models declare %s, and the database has %s of the same type that no model declares: a rename of which? Say so with %s, or --new %s when it is a new column.'),
  DIFF_BAD_RENAME: defineError('STRYKE_E_MIGRATION_DIFF_BAD_RENAME', '--rename %s is not table.old:new (a column) or old:new (a table), e.g. --rename posts.title:headline.'),
  DESTRUCTIVE: defineError('STRYKE_E_MIGRATION_DESTRUCTIVE', 'The difference has destructive steps (%s): review them with --dry-run, then pass --allow-destructive to write them.'),
};
