import { defineError } from '../support';

export const CliErrors = {
  NOT_AN_APP: defineError('STRYKE_E_CLI_NOT_AN_APP', '%s is not a stryke app (no app/ or config/ folder). Run this inside an app, or create one with `stryke new <dir>`.'),
  COMPILE_FAILED: defineError('STRYKE_E_CLI_COMPILE_FAILED', 'The app does not compile: fix the TypeScript errors above, then run the command again.'),
  UNKNOWN_COMMAND: defineError('STRYKE_E_CLI_UNKNOWN_COMMAND', 'Unknown command "%s".%s Run `stryke --help` for the list.'),
  USAGE: defineError('STRYKE_E_CLI_USAGE', '%s Run `%s --help` for usage.'),
  BAD_OPTION: defineError('STRYKE_E_CLI_BAD_OPTION', '%s'),
  PENDING_MIGRATIONS: defineError('STRYKE_E_CLI_PENDING_MIGRATIONS', '%s has %s pending migration(s) (%s): run `stryke db migrate%s` first, then start again.'),
  NO_DATABASE: defineError('STRYKE_E_CLI_NO_DATABASE', '%s does not exist: run `stryke db prepare%s` first (it creates, migrates and seeds it), then start again.'),
  NO_PACKAGES: defineError('STRYKE_E_CLI_NO_PACKAGES', '%s cannot load `stryke`: a build written outside the app (`stryke build --out`) has no node_modules. Run `npm install --omit=dev` in it (its package.json is there), then run the command again.'),
  SEEDS_MISSING: defineError('STRYKE_E_CLI_SEEDS_MISSING', 'db/seeds.ts does not export a default function: write `export default async function seed() { ... }`.'),
};
