import { defineError } from '../support/errors';

export const MigrationErrors = {
  UNKNOWN_TYPE: defineError('STRYKE_E_MIGRATION_UNKNOWN_TYPE', 'Unknown column type "%s" for %s.%s. Valid types: %s.'),
  IRREVERSIBLE: defineError('STRYKE_E_MIGRATION_IRREVERSIBLE', 'Migration %s cannot be rolled back: %s inside change() has no automatic inverse. Give the migration a down() as well.'),
  BAD_FILE: defineError('STRYKE_E_MIGRATION_BAD_FILE', '%s does not export a migration: write `export default migration(\'Name\', { change(m) { ... } })`.'),
  BAD_NAME: defineError('STRYKE_E_MIGRATION_BAD_NAME', 'Migration file %s must be named <14-digit timestamp>_<name>.ts, e.g. 20260426120000_create_posts.ts.'),
  FAILED: defineError('STRYKE_E_MIGRATION_FAILED', 'Migration %s (%s) failed: %s'),
  NOT_COMPILED: defineError('STRYKE_E_MIGRATION_NOT_COMPILED', 'db/migrations has %s but no compiled %s in build/: run the app\'s TypeScript build (stryke does it before db commands; check tsconfig.json includes "db").'),
};
