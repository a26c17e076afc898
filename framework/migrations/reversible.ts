import type { Database } from '../orm';
import { MigrationErrors } from './errors';
import { Migrator } from './runner';
import { dumpSchema, type DumpTable } from './schema-dump';

/** Tables in a comparable form: column order does not matter (a reverted removeColumn adds at the end). */
function canonical(tables: DumpTable[]): Map<string, string> {
  return new Map(tables.map((t) => [t.name, JSON.stringify({ ...t, columns: [...t.columns].sort((a, b) => a.name.localeCompare(b.name)) })]));
}

/** The first difference between two schemas, in words; undefined when they are the same. */
export function schemaDifference(expected: DumpTable[], actual: DumpTable[]): string | undefined {
  const a = canonical(expected);
  const b = canonical(actual);
  for (const name of a.keys()) if (!b.has(name)) return `table ${name} is missing`;
  for (const name of b.keys()) if (!a.has(name)) return `table ${name} is left over`;
  for (const [name, text] of a) {
    if (text === b.get(name)) continue;
    const x = expected.find((t) => t.name === name)!;
    const y = actual.find((t) => t.name === name)!;
    for (const c of x.columns) {
      const d = y.columns.find((o) => o.name === c.name);
      if (!d) return `column ${name}.${c.name} is missing`;
      if (JSON.stringify(c) !== JSON.stringify(d)) return `column ${name}.${c.name} differs: expected ${JSON.stringify(c)}, got ${JSON.stringify(d)}`;
    }
    for (const c of y.columns) if (!x.columns.some((o) => o.name === c.name)) return `column ${name}.${c.name} is left over`;
    if (JSON.stringify(x.indexes) !== JSON.stringify(y.indexes)) return `indexes of ${name} differ: expected ${x.indexes.map((i) => i.name).join(', ') || 'none'}, got ${y.indexes.map((i) => i.name).join(', ') || 'none'}`;
    return `foreign keys of ${name} differ: expected ${JSON.stringify(x.foreignKeys)}, got ${JSON.stringify(y.foreignKeys)}`;
  }
  return undefined;
}

/**
 * Proves an app's migrations reversible on `db`, which must be empty: each migration is applied, rolled
 * back (the schema must be what it was before) and applied again (the schema must be what it was after);
 * then everything is rolled back (nothing may remain) and migrated once more. Throws
 * STRYKE_E_MIGRATION_NOT_REVERSIBLE naming the first migration that fails; returns the versions checked.
 */
export async function checkReversible(db: Database, root: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const migrator = new Migrator(db, root);
  const files = migrator.files();
  const empty = (await dumpSchema(db)).tables;
  let before = empty;
  for (const f of files) {
    await migrator.runOne(f.version, 'up');
    const after = (await dumpSchema(db)).tables;
    await migrator.runOne(f.version, 'down');
    const reverted = (await dumpSchema(db)).tables;
    let diff = schemaDifference(before, reverted);
    if (diff) throw MigrationErrors.NOT_REVERSIBLE(f.source, `after rolling it back, ${diff}`);
    await migrator.runOne(f.version, 'up');
    diff = schemaDifference(after, (await dumpSchema(db)).tables);
    if (diff) throw MigrationErrors.NOT_REVERSIBLE(f.source, `applied again after a rollback, ${diff}`);
    log(`ok  ${f.version} ${f.name}: up, down, up`);
    before = after;
  }
  const final = before;
  await migrator.rollback(files.length);
  let diff = schemaDifference(empty, (await dumpSchema(db)).tables);
  if (diff) throw MigrationErrors.NOT_REVERSIBLE('(all, rolled back together)', diff);
  await migrator.migrate();
  diff = schemaDifference(final, (await dumpSchema(db)).tables);
  if (diff) throw MigrationErrors.NOT_REVERSIBLE('(all, migrated again)', diff);
  log(`ok  all ${files.length}: rolled back to nothing and migrated again, same schema`);
  return files.map((f) => f.version);
}
