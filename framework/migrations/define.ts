import type { Migration, MigrationDefinition } from './dsl';

// Its own module: an app's migration files and the root index (`import { migration } from 'stryke'`) load this,
// not the schema engine the runner uses.
/**
 * Declares a migration. Use `change` for reversible steps; `up` and `down` when a step has no inverse.
 * @example
 * export default migration('CreatePosts', {
 *   change(m) { m.createTable('posts', (t) => { t.string('title', { null: false }); t.timestamps(); }); },
 * });
 */
export function migration(name: string, definition: MigrationDefinition): Migration {
  return { name, ...definition, __strykeMigration: true };
}
