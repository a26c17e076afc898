import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { QueryRunner } from 'typeorm';
import type { Database } from '../orm';
import type { Adapter } from '../orm';
import { requireAppFile, StrykeError } from '../support';
import { plan, type Migration, type Op } from './dsl';
import { MigrationErrors } from './errors';
import { schemaSource } from './typeorm';
import { lockMigrations } from './lock';
import { migrationFiles, MIGRATIONS_TABLE, type MigrationFile } from './files';
import { clearFailure, ensureFailureTable, failures, recordFailure, type FailureRecord } from './failures';

export type { MigrationFile } from './files';

export interface MigrationStatus extends MigrationFile {
  /** `partial`: it failed on MySQL/MariaDB part-way, see `failure`. */
  state: 'up' | 'down' | 'partial';
  /** Applied in the database, but its file is gone from db/migrations. */
  missing?: boolean;
  failure?: FailureRecord;
}

export interface MigratorOptions {
  /** How long to wait for another process's migration lock (default 60 s). */
  lockTimeoutMs?: number;
  /**
   * Told as each migration starts and ends (the CLI shows them as progress steps). When given, the
   * `== version Name: migrating/migrated` lines are not logged; the operations (`-- ...`) still are.
   */
  onMigration?: (event: MigrationEvent) => void;
}

export interface MigrationEvent {
  phase: 'start' | 'done' | 'failed';
  version: string;
  name: string;
  direction: 'up' | 'down';
  /** How long it took (done, failed). */
  ms?: number;
  error?: unknown;
}

const TABLE = MIGRATIONS_TABLE;

/**
 * Runs `fn` with source maps on, so that stack traces (and the call sites the DSL records) point into the
 * migration's .ts file when the app compiles with them. Only for loading and planning a migration: the
 * registry tells app code from framework code by compiled paths, so it stays off otherwise.
 */
function withSourceMaps<T>(fn: () => T): T {
  const was = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ?? false;
  if (!was) process.setSourceMapsEnabled(true);
  try {
    return fn();
  } finally {
    if (!was) process.setSourceMapsEnabled(false);
  }
}

/** Fails (so the transaction rolls back) when the migration left rows pointing at nothing. */
async function checkForeignKeys(qr: QueryRunner): Promise<void> {
  const broken = (await qr.query('PRAGMA foreign_key_check')) as { table: string; parent: string }[];
  if (broken.length) {
    const [first] = broken;
    throw MigrationErrors.FOREIGN_KEY_VIOLATION(broken.length, first!.table, first!.parent);
  }
}

/**
 * Applies and reverts an app's migrations (`db/migrations/<version>_<name>.ts`, compiled under
 * `build/db/migrations`), tracked by version in `schema_migrations`. Each migration runs in a
 * transaction where the database has transactional DDL (SQLite, PostgreSQL); on MySQL/MariaDB a
 * failure is recorded in `schema_migration_failures` with the steps that ran. Commands that change
 * the schema hold a lock, so two processes cannot migrate one database at once.
 */
export class Migrator {
  private readonly lockTimeoutMs: number;
  private readonly onMigration?: (event: MigrationEvent) => void;

  constructor(private readonly db: Database, private readonly root: string, private readonly log: (line: string) => void = () => {}, options: MigratorOptions = {}) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    this.onMigration = options.onMigration;
  }

  /** The app's migrations in version order (see files.ts). */
  files(): MigrationFile[] {
    return migrationFiles(this.root);
  }

  private q(id: string): string {
    return this.db.dialect.quote(id);
  }

  private get adapter(): Adapter {
    return this.db.dialect.adapter;
  }

  async ensureTable(): Promise<void> {
    await schemaSource(this.db);
    try {
      await this.db.run(`CREATE TABLE IF NOT EXISTS ${this.q(TABLE)} (${this.q('version')} varchar(255) NOT NULL PRIMARY KEY)`);
      if (this.adapter === 'mysql') await ensureFailureTable(this.db);
    } catch (err) {
      // PostgreSQL: two sessions creating it at once; one loses, and the table is there.
      await this.db.select(`SELECT ${this.q('version')} FROM ${this.q(TABLE)} WHERE 1 = 0`).catch(() => { throw err; });
    }
  }

  async applied(): Promise<Set<string>> {
    await this.ensureTable();
    const rows = await this.db.select(`SELECT ${this.q('version')} FROM ${this.q(TABLE)}`);
    return new Set(rows.map((r) => String(r.version)));
  }

  /** Every migration file, up, down or partial; and versions applied whose file is gone. */
  async status(): Promise<MigrationStatus[]> {
    const done = await this.applied();
    const failed = this.adapter === 'mysql' ? await failures(this.db) : new Map<string, FailureRecord>();
    const files = this.files();
    const out: MigrationStatus[] = files.map((f) => {
      const failure = failed.get(f.version);
      return { ...f, state: failure ? 'partial' : done.has(f.version) ? 'up' : 'down', ...(failure ? { failure } : {}) };
    });
    const known = new Set(files.map((f) => f.version));
    for (const v of done) {
      if (!known.has(v)) out.push({ version: v, name: '(no file)', source: '', compiled: '', state: 'up', missing: true });
    }
    return out.sort((a, b) => a.version.localeCompare(b.version));
  }

  /** `db/migrations/x.ts:12` from an absolute `file:line` (a stack frame or an operation's call site). */
  private where(site: string | undefined, file: MigrationFile): string {
    if (!site) return file.source;
    const rel = relative(this.root, site);
    return rel.startsWith('build/') || rel.startsWith(`build\\`) ? `${rel} (compiled from ${file.source})` : rel;
  }

  /** The line of the migration file in an error's stack, when it has one. */
  private siteIn(err: unknown, file: MigrationFile): string | undefined {
    const stem = `${file.version}_${file.name}`;
    for (const line of String((err as Error)?.stack ?? '').split('\n')) {
      const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?$/.exec(line.trim());
      if (m && m[1]!.includes(stem)) return `${m[1]}:${m[2]}`;
    }
    return undefined;
  }

  private load(file: MigrationFile): Migration {
    if (!existsSync(file.compiled)) throw MigrationErrors.NOT_COMPILED(file.source, file.compiled);
    let mod: any;
    try {
      mod = requireAppFile(file.compiled, { fresh: true });
    } catch (err) {
      throw Object.assign(MigrationErrors.LOAD_FAILED(this.where(this.siteIn(err, file), file), (err as Error).message), { cause: err });
    }
    const m = (mod.default ?? mod) as Migration;
    if (!m || !m.__strykeMigration) throw MigrationErrors.BAD_FILE(file.source);
    return m;
  }

  /** The migration's operations; an error while describing them (an unknown type, a typo) names the file and line. */
  private planFor(file: MigrationFile, migration: Migration, direction: 'up' | 'down'): Op[] {
    try {
      return plan(`${file.version}_${file.name}`, migration, this.adapter, direction);
    } catch (err) {
      const site = this.where(this.siteIn(err, file), file);
      if (err instanceof StrykeError) {
        if (!err.message.includes(file.source)) err.message = `${site}: ${err.message}`;
        throw err;
      }
      throw Object.assign(MigrationErrors.LOAD_FAILED(site, (err as Error).message), { cause: err });
    }
  }

  private async run(file: MigrationFile, direction: 'up' | 'down'): Promise<void> {
    const [migration, ops] = withSourceMaps(() => {
      const m = this.load(file);
      return [m, this.planFor(file, m, direction)] as const;
    });
    const transactional = this.adapter !== 'mysql';
    const qr: QueryRunner = (await schemaSource(this.db)).createQueryRunner();
    await qr.connect();
    const started = Date.now();
    if (this.onMigration) this.onMigration({ phase: 'start', version: file.version, name: migration.name, direction });
    else this.log(`== ${file.version} ${migration.name}: ${direction === 'up' ? 'migrating' : 'reverting'}`);
    let step = 0;
    try {
      // SQLite changes a column by rebuilding its table (copy, DROP, rename); with foreign keys enforced
      // that DROP would cascade into the rows that point at it. TypeORM's own migrations turn them off
      // here, outside the transaction (the pragma is a no-op inside one), and check them before commit.
      await qr.beforeMigration();
      if (transactional) await qr.startTransaction();
      for (; step < ops.length; step++) {
        this.log(`-- ${ops[step]!.describe}`);
        await ops[step]!.up(qr);
      }
      if (this.adapter === 'sqlite') await checkForeignKeys(qr);
      const ph = this.db.dialect.placeholder(1);
      if (direction === 'up') await qr.query(`INSERT INTO ${this.q(TABLE)} (${this.q('version')}) VALUES (${ph})`, [file.version]);
      else await qr.query(`DELETE FROM ${this.q(TABLE)} WHERE ${this.q('version')} = ${ph}`, [file.version]);
      if (transactional) await qr.commitTransaction();
      else await clearFailure(this.db, file.version);
    } catch (err) {
      if (transactional && qr.isTransactionActive) await qr.rollbackTransaction().catch(() => {});
      const op = ops[step];
      const at = op ? ` at step ${step + 1} of ${ops.length}, ${op.describe} (${this.where(op.site, file)})` : '';
      let message = (err as Error).message;
      if (!transactional && step > 0) {
        const applied = ops.slice(0, step).map((o) => o.describe);
        await recordFailure(this.db, { version: file.version, direction, applied, failed: op?.describe ?? '(recording the version)', error: message }).catch(() => {});
        message += `. Applied before the failure, and not undone (MySQL commits DDL as it runs): ${applied.join('; ')}. Recorded in schema_migration_failures; see stryke db status`;
      }
      const failed = Object.assign(MigrationErrors.FAILED(file.source, direction, at, message), { cause: err });
      this.onMigration?.({ phase: 'failed', version: file.version, name: migration.name, direction, ms: Date.now() - started, error: failed });
      throw failed;
    } finally {
      await qr.afterMigration().catch(() => {});
      await qr.release();
    }
    if (this.onMigration) this.onMigration({ phase: 'done', version: file.version, name: migration.name, direction, ms: Date.now() - started });
    else this.log(`== ${file.version} ${migration.name}: ${direction === 'up' ? 'migrated' : 'reverted'} (${Date.now() - started}ms)`);
  }

  /** Runs `fn` holding the database's migration lock (what migrate, rollback and redo do). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await schemaSource(this.db);
    const lock = await lockMigrations(this.db, this.root, this.lockTimeoutMs);
    try {
      await this.ensureTable();
      return await fn();
    } finally {
      await lock.release();
    }
  }

  private checkVersion(version: string): void {
    if (version === '0') return;
    const versions = this.files().map((f) => f.version);
    if (!versions.includes(version)) {
      const close = versions.filter((v) => v.startsWith(version.slice(0, 8)));
      throw MigrationErrors.UNKNOWN_VERSION(version, close.length ? ` Versions that day: ${close.join(', ')}.` : '');
    }
  }

  /**
   * Applies every pending migration, in order; with `to`, applies those up to it (inclusive) and
   * reverts applied ones after it (`to: '0'` reverts all). The versions applied or reverted.
   */
  async migrate(options: { to?: string } = {}): Promise<string[]> {
    if (options.to !== undefined) this.checkVersion(options.to);
    return this.withLock(async () => {
      const done = await this.applied();
      const out: string[] = [];
      const files = this.files();
      if (options.to !== undefined) {
        for (const f of [...files].reverse()) {
          if (f.version > options.to! && done.has(f.version)) {
            await this.run(f, 'down');
            out.push(f.version);
          }
        }
      }
      for (const f of files) {
        if (options.to !== undefined && f.version > options.to) break;
        if (done.has(f.version)) continue;
        await this.run(f, 'up');
        out.push(f.version);
      }
      return out;
    });
  }

  /** Reverts the last `step` applied migrations; the versions reverted. */
  async rollback(step = 1): Promise<string[]> {
    return this.withLock(async () => {
      const done = await this.applied();
      const targets = this.files().filter((f) => done.has(f.version)).reverse().slice(0, step);
      for (const f of targets) await this.run(f, 'down');
      return targets.map((f) => f.version);
    });
  }

  /** Reverts the last `step` migrations and applies them again; the versions redone. */
  async redo(step = 1): Promise<string[]> {
    return this.withLock(async () => {
      const done = await this.applied();
      const targets = this.files().filter((f) => done.has(f.version)).reverse().slice(0, step);
      for (const f of targets) await this.run(f, 'down');
      for (const f of [...targets].reverse()) await this.run(f, 'up');
      return [...targets].reverse().map((f) => f.version);
    });
  }

  /** Applies or reverts one migration by version (the reversibility check walks them one by one). */
  async runOne(version: string, direction: 'up' | 'down'): Promise<void> {
    const file = this.files().find((f) => f.version === version);
    if (!file) throw MigrationErrors.UNKNOWN_VERSION(version, '');
    await this.withLock(() => this.run(file, direction));
  }

  async pending(): Promise<MigrationFile[]> {
    const done = await this.applied();
    return this.files().filter((f) => !done.has(f.version));
  }
}
