import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { QueryRunner } from 'typeorm';
import { sqlitePath, type Database } from '../orm';
import { MigrationErrors } from './errors';
import { schemaSource } from './typeorm';

export interface MigrationLock {
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stable 63-bit key for PostgreSQL's advisory lock, from the database's name. */
function advisoryKey(database: string): string {
  const h = createHash('sha256').update(`stryke:schema_migrations:${database}`).digest();
  return (h.readBigInt64BE(0) & 0x7fffffffffffffffn).toString();
}

/** Tries once: true when this process now holds the lock. */
type Attempt = () => Promise<boolean>;

async function acquire(what: string, attempt: Attempt, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt()) return;
    if (Date.now() >= deadline) throw MigrationErrors.LOCKED(what, String(Math.round(timeoutMs / 1000)));
    await sleep(100);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQLite: a lock file beside the database, holding the owner's pid; a dead owner's file is taken over. */
function fileLock(file: string): { attempt: Attempt; release(): void } {
  return {
    async attempt() {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let owner = '';
        try { owner = readFileSync(file, 'utf8'); } catch { return false; }
        const [pid, host] = owner.trim().split(' ');
        if (host === hostname() && Number(pid) > 0 && !pidAlive(Number(pid))) rmSync(file, { force: true });
        return false;
      }
    },
    release() {
      rmSync(file, { force: true });
    },
  };
}

/**
 * Takes the migration lock for this database, so two `migrate` runs cannot both apply: a session advisory
 * lock on PostgreSQL (`pg_try_advisory_lock`) and MySQL/MariaDB (`GET_LOCK`), held on a connection of its
 * own; a lock file (`<database>-migrate.lock`) on SQLite. Waits up to `timeoutMs` for another holder.
 */
export async function lockMigrations(db: Database, root: string, timeoutMs: number): Promise<MigrationLock> {
  const { config } = db;
  if (config.adapter === 'sqlite') {
    const file = sqlitePath(config, root);
    if (file === ':memory:') return { release: async () => {} };
    const lock = fileLock(`${file}-migrate.lock`);
    await acquire(config.database, lock.attempt, timeoutMs);
    return { release: async () => lock.release() };
  }
  const qr: QueryRunner = (await schemaSource(db)).createQueryRunner();
  await qr.connect();
  try {
    if (config.adapter === 'postgres') {
      const key = advisoryKey(config.database);
      await acquire(config.database, async () => {
        const [row] = await qr.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
        return row.locked === true;
      }, timeoutMs);
      return {
        async release() {
          await qr.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
          await qr.release();
        },
      };
    }
    const name = `stryke_migrate_${config.database}`.slice(0, 64);
    await acquire(config.database, async () => {
      const [row] = await qr.query('SELECT GET_LOCK(?, 0) AS locked', [name]);
      return Number(row.locked) === 1;
    }, timeoutMs);
    return {
      async release() {
        await qr.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => {});
        await qr.release();
      },
    };
  } catch (err) {
    await qr.release();
    throw err;
  }
}
