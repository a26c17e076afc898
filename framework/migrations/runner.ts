import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryRunner } from 'typeorm';
import type { Database } from '../orm/connection';
import type { Adapter } from '../orm/dialect';
import { StrykeError } from '../support/errors';
import { plan, type Migration } from './dsl';
import { MigrationErrors } from './errors';

export interface MigrationFile {
  version: string;
  name: string;
  /** The TypeScript source, relative to the app root. */
  source: string;
  /** The compiled module. */
  compiled: string;
}

export interface MigrationStatus extends MigrationFile {
  state: 'up' | 'down';
}

const TABLE = 'schema_migrations';

/** The migration's operations; a coded error found while planning (an unknown type...) names the file. */
function planFor(file: MigrationFile, migration: Migration, adapter: Adapter, direction: 'up' | 'down') {
  try {
    return plan(`${file.version}_${file.name}`, migration, adapter, direction);
  } catch (err) {
    if (err instanceof StrykeError && !err.message.includes(file.source)) err.message = `${file.source}: ${err.message}`;
    throw err;
  }
}

/** Fails (so the transaction rolls back) when the migration left rows pointing at nothing. */
async function checkForeignKeys(qr: QueryRunner): Promise<void> {
  const broken = (await qr.query('PRAGMA foreign_key_check')) as { table: string; parent: string }[];
  if (broken.length) {
    const [first] = broken;
    throw new Error(`${broken.length} row(s) violate foreign keys (first: ${first!.table} -> ${first!.parent})`);
  }
}

/**
 * Applies and reverts an app's migrations (`db/migrations/<version>_<name>.ts`, compiled under
 * `build/db/migrations`), tracked by version in `schema_migrations`. Each migration runs in a
 * transaction where the database has transactional DDL (SQLite, PostgreSQL).
 */
export class Migrator {
  constructor(private readonly db: Database, private readonly root: string, private readonly log: (line: string) => void = () => {}) {}

  files(): MigrationFile[] {
    const dir = join(this.root, 'db', 'migrations');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .sort()
      .map((f) => {
        const m = /^(\d{14})_(\w+)\.ts$/.exec(f);
        if (!m) throw MigrationErrors.BAD_NAME(`db/migrations/${f}`);
        return {
          version: m[1]!, name: m[2]!, source: `db/migrations/${f}`,
          compiled: join(this.root, 'build', 'db', 'migrations', f.replace(/\.ts$/, '.js')),
        };
      });
  }

  private q(id: string): string {
    return this.db.dialect.quote(id);
  }

  async ensureTable(): Promise<void> {
    await this.db.run(`CREATE TABLE IF NOT EXISTS ${this.q(TABLE)} (${this.q('version')} varchar(255) NOT NULL PRIMARY KEY)`);
  }

  async applied(): Promise<Set<string>> {
    await this.ensureTable();
    const rows = await this.db.select(`SELECT ${this.q('version')} FROM ${this.q(TABLE)}`);
    return new Set(rows.map((r) => String(r.version)));
  }

  async status(): Promise<MigrationStatus[]> {
    const done = await this.applied();
    return this.files().map((f) => ({ ...f, state: done.has(f.version) ? 'up' : 'down' }));
  }

  private load(file: MigrationFile): Migration {
    if (!existsSync(file.compiled)) throw MigrationErrors.NOT_COMPILED(file.source, file.compiled);
    delete require.cache[file.compiled];
    const mod = require(file.compiled);
    const m = (mod.default ?? mod) as Migration;
    if (!m || !m.__strykeMigration) throw MigrationErrors.BAD_FILE(file.source);
    return m;
  }

  private async run(file: MigrationFile, direction: 'up' | 'down'): Promise<void> {
    const migration = this.load(file);
    const { adapter } = this.db.dialect;
    const ops = planFor(file, migration, adapter, direction);
    const transactional = adapter !== 'mysql';
    const qr: QueryRunner = this.db.dataSource.createQueryRunner();
    await qr.connect();
    const started = Date.now();
    this.log(`== ${file.version} ${migration.name}: ${direction === 'up' ? 'migrating' : 'reverting'}`);
    try {
      // SQLite changes a column by rebuilding its table (copy, DROP, rename); with foreign keys enforced
      // that DROP would cascade into the rows that point at it. TypeORM's own migrations turn them off
      // here, outside the transaction (the pragma is a no-op inside one), and check them before commit.
      await qr.beforeMigration();
      if (transactional) await qr.startTransaction();
      for (const op of ops) {
        this.log(`-- ${op.describe}`);
        await op.up(qr);
      }
      if (adapter === 'sqlite') await checkForeignKeys(qr);
      const ph = this.db.dialect.placeholder(1);
      if (direction === 'up') await qr.query(`INSERT INTO ${this.q(TABLE)} (${this.q('version')}) VALUES (${ph})`, [file.version]);
      else await qr.query(`DELETE FROM ${this.q(TABLE)} WHERE ${this.q('version')} = ${ph}`, [file.version]);
      if (transactional) await qr.commitTransaction();
    } catch (err) {
      if (transactional && qr.isTransactionActive) await qr.rollbackTransaction().catch(() => {});
      const failed = MigrationErrors.FAILED(file.source, direction, (err as Error).message);
      throw Object.assign(failed, { cause: err });
    } finally {
      await qr.afterMigration().catch(() => {});
      await qr.release();
    }
    this.log(`== ${file.version} ${migration.name}: ${direction === 'up' ? 'migrated' : 'reverted'} (${Date.now() - started}ms)`);
  }

  /** Applies every pending migration (up to `to`, inclusive); the versions applied. */
  async migrate(options: { to?: string } = {}): Promise<string[]> {
    const done = await this.applied();
    const out: string[] = [];
    for (const f of this.files()) {
      if (options.to && f.version > options.to) break;
      if (done.has(f.version)) continue;
      await this.run(f, 'up');
      out.push(f.version);
    }
    return out;
  }

  /** Reverts the last `step` applied migrations; the versions reverted. */
  async rollback(step = 1): Promise<string[]> {
    const done = await this.applied();
    const targets = this.files().filter((f) => done.has(f.version)).reverse().slice(0, step);
    for (const f of targets) await this.run(f, 'down');
    return targets.map((f) => f.version);
  }

  async pending(): Promise<MigrationFile[]> {
    const done = await this.applied();
    return this.files().filter((f) => !done.has(f.version));
  }
}
