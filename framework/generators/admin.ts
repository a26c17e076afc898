import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GeneratorErrors } from './errors';
import type { GeneratorDef } from './generate';
import { isApiApp } from './generate';
import { migrationVersion } from './migrations';

/** The migration `generate admin` writes (users.admin and admin_audit_log). */
export const ADMIN_MIGRATION = 'create_admin';

export function adminLocals(root: string, now = new Date()): Record<string, unknown> {
  return { adminVersion: migrationVersion(root, ADMIN_MIGRATION, now) };
}

const ADMIN_FIELD = `  /** Whether this user may use /admin (written by \`stryke generate admin\`). */
  @Field({ type: 'boolean', default: false }) admin!: boolean;

`;

/**
 * Adds the \`admin\` field to the app's User (app/models/user.ts, as \`generate auth\` wrote it): before its
 * timestamps. Returns what it did, for the generator's notes.
 */
export function addAdminField(root: string): string {
  const file = join(root, 'app', 'models', 'user.ts');
  const src = readFileSync(file, 'utf8');
  if (/\badmin!?\s*:/.test(src)) return 'app/models/user.ts already has an `admin` field.';
  const at = src.indexOf('  @Timestamps()');
  if (at < 0) return 'add `@Field({ type: \'boolean\', default: false }) admin!: boolean;` to your User model (app/models/user.ts).';
  writeFileSync(file, src.slice(0, at) + ADMIN_FIELD + src.slice(at));
  return 'added `admin` (a boolean) to app/models/user.ts.';
}

/** User model text with the admin field (for `stryke new --admin`, which renders auth's user.ts then this). */
export function withAdminField(src: string): string {
  const at = src.indexOf('  @Timestamps()');
  return at < 0 ? src : src.slice(0, at) + ADMIN_FIELD + src.slice(at);
}

/**
 * `stryke generate admin`: the app's AdminController mounting the framework's admin at /admin (behind
 * authentication and the user's `admin` flag), the migration (users.admin, admin_audit_log), an example
 * customisation (app/admin/users.ts) and a test.
 */
export const ADMIN_GENERATOR: Record<string, GeneratorDef> = {
  admin: {
    summary: 'an admin at /admin for every model (search, filters, CSV, audit log), for users with `admin` set; needs `generate auth` first',
    usage: 'admin',
    example: 'stryke generate admin',
    nameless: true,
    prepare(_name, args, root, mode) {
      if (args.length) throw GeneratorErrors.ADMIN_ARGS(args.join(' '));
      if (mode === 'generate' && isApiApp(root)) throw GeneratorErrors.ADMIN_API_APP();
      if (mode === 'generate' && !existsSync(join(root, 'app', 'models', 'user.ts'))) throw GeneratorErrors.ADMIN_NEEDS_AUTH();
      const notes = mode === 'generate' ? [
        addAdminField(root),
        'run `npx stryke db migrate`, then make someone an admin: `npx stryke console` and `await User.where({ email: \'you@example.com\' }).updateAll({ admin: true })`.',
        'open http://localhost:3000/admin; customise a model\'s pages in app/admin/<table>.ts (docs/admin.md).',
      ] : [];
      return { schematics: ['admin'], locals: adminLocals(root), notes };
    },
  },
};
