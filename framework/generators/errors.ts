import { defineError } from '../support';

/** Errors of `stryke new` and `stryke generate`. Each ends the command with one line and exit 1; nothing is written. */
export const GeneratorErrors = {
  UNKNOWN: defineError('STRYKE_E_GENERATOR_UNKNOWN', 'Unknown generator "%s".%s Generators: %s.'),
  MISSING_NAME: defineError('STRYKE_E_GENERATOR_MISSING_NAME', '`stryke generate %s` needs a name, e.g. `stryke generate %s`.'),
  BAD_NAME: defineError('STRYKE_E_GENERATOR_BAD_NAME', '"%s" cannot be used as a name: %s'),
  UNKNOWN_FIELD_TYPE: defineError('STRYKE_E_GENERATOR_UNKNOWN_FIELD_TYPE', 'Unknown field type "%s" in "%s".%s Field types: %s.'),
  UNKNOWN_MODIFIER: defineError('STRYKE_E_GENERATOR_UNKNOWN_MODIFIER', 'Unknown field modifier "%s" in "%s".%s Modifiers: %s.'),
  BAD_FIELD: defineError('STRYKE_E_GENERATOR_BAD_FIELD', 'Bad field "%s": %s'),
  NO_FIELDS: defineError('STRYKE_E_GENERATOR_NO_FIELDS', 'A scaffold needs at least one field besides json ones, for its form and its tests: `stryke generate scaffold %s title:string`.'),
  BAD_ACTION: defineError('STRYKE_E_GENERATOR_BAD_ACTION', 'Bad action name "%s": %s'),
  CONFLICT: defineError('STRYKE_E_GENERATOR_CONFLICT', '%s already exist%s and differ%s from what the generator writes (diff above). Nothing was written: rerun with --force to overwrite, or --skip to keep the existing files and write the rest.'),
  DIR_NOT_EMPTY: defineError('STRYKE_E_GENERATOR_DIR_NOT_EMPTY', '%s already exists and is not an empty folder: choose another path, or empty that folder first.'),
  BAD_APP_NAME: defineError('STRYKE_E_GENERATOR_BAD_APP_NAME', 'Cannot name an app "%s": %s'),
  UNKNOWN_DATABASE: defineError('STRYKE_E_GENERATOR_UNKNOWN_DATABASE', 'Unknown database "%s".%s Use one of: sqlite, postgres, mysql.'),
  WRITE_FAILED: defineError('STRYKE_E_GENERATOR_WRITE_FAILED', 'Writing %s failed (%s). The files this run had created were removed again.'),
  AUTH_API_APP: defineError('STRYKE_E_GENERATOR_AUTH_API_APP', '`stryke generate auth` writes sign-in, sign-up and password-reset pages, and this app was made with --api (no views). Sign API clients in with tokens of your own for now (docs/authentication.md).'),
  AUTH_ARGS: defineError('STRYKE_E_GENERATOR_AUTH_ARGS', '`stryke generate auth` takes no name or fields (got "%s"): it writes the User and Session models, their controllers, views and tests.'),
  ADMIN_ARGS: defineError('STRYKE_E_GENERATOR_ADMIN_ARGS', '`stryke generate admin` takes no name or fields (got "%s"): it lists every model; customise one in app/admin/<table>.ts.'),
  ADMIN_API_APP: defineError('STRYKE_E_GENERATOR_ADMIN_API_APP', '`stryke generate admin` writes HTML pages, and this app was made with --api (no views).'),
  ADMIN_NEEDS_AUTH: defineError('STRYKE_E_GENERATOR_ADMIN_NEEDS_AUTH', '`stryke generate admin` needs sign-in and a User model (app/models/user.ts): run `npx stryke generate auth` first.'),
  PWA_ARGS: defineError('STRYKE_E_GENERATOR_PWA_ARGS', '`stryke generate pwa` takes no name or fields (got "%s"): change the app\'s name and colours in app/controllers/pwa_controller.ts.'),
  PWA_API_APP: defineError('STRYKE_E_GENERATOR_PWA_API_APP', '`stryke generate pwa` writes an offline page and layout tags, and this app was made with --api (no views).'),
  UNKNOWN_APP: defineError('STRYKE_E_GENERATOR_UNKNOWN_APP', 'Unknown app "%s".%s Apps: %s.'),
  APP_API: defineError('STRYKE_E_GENERATOR_APP_API', '`stryke new --app %s` writes pages (sign-in, admin, offline page), so it cannot be combined with --api.'),
  BAD_TEMPLATE: defineError('STRYKE_E_GENERATOR_BAD_TEMPLATE', 'Template %s is broken: %s'),
};
