import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../support/databases';
import { copySampleApp } from '../support/sample-app';
import { stryke, strykeBackground } from '../support/cli';

/**
 * The db commands on one adapter, on a private copy of the sample app. One test file per adapter
 * (db.test.ts, db-postgres.test.ts, db-mysql.test.ts), so each stays well inside the runner's time per file.
 */
export function dbCommandsSuite(adapter: 'sqlite' | 'postgres' | 'mysql'): void {
  describe(`stryke db, on the sample app (${adapter})`, async () => {
    const SAMPLE = copySampleApp();
    const dir = mkdtempSync(join(tmpdir(), 'stryke-db-cli-'));
    const targets = (await databaseTargets(`dbcli_${adapter}`, dir)).filter((t) => t.name === adapter);

    for (const target of targets) {
      describe(target.name, { skip: target.skip }, () => {
        const c = target.config;
        const url = c.adapter === 'sqlite'
          ? `sqlite:${c.database}`
          : `${c.adapter}://${c.username}${c.password ? `:${c.password}` : ''}@${c.host}:${c.port}/${c.database}`;
        const env = { DATABASE_URL: url };
        const run = (...args: string[]) => stryke(['db', ...args, '--root', SAMPLE], { env });
        after(() => run('drop'));

        it('creates, migrates, reports status, rolls back and re-migrates', () => {
          const created = run('create');
          assert.equal(created.status, 0, created.stderr);
          assert.match(created.stdout, /Created/);
          assert.match(run('create').stdout, /already exists/);

          const migrated = run('migrate');
          assert.equal(migrated.status, 0, migrated.stderr);
          assert.match(migrated.stdout, /migrating 20260426120000 CreatePosts … done/);
          assert.match(migrated.stdout, /migrating 20260426120100 CreateComments … done/);
          assert.match(run('migrate').stdout, /Nothing to migrate/);

          const status = run('status');
          assert.equal(status.status, 0, status.stderr);
          assert.match(status.stdout, /up\s+20260426120000\s+create_posts/);
          assert.match(status.stdout, /up\s+20260426120100\s+create_comments/);

          const rolled = run('rollback');
          assert.equal(rolled.status, 0, rolled.stderr);
          assert.match(rolled.stdout, /reverting 20261207130000 CreateAdmin … done/);
          assert.match(run('status').stdout, /down\s+20261207130000\s+create_admin/);

          assert.equal(run('migrate').status, 0);
          const seeded = run('seed');
          assert.equal(seeded.status, 0, seeded.stderr);
          assert.match(seeded.stdout, /Seeded/);
        });

        /** Another database on the same server (or another SQLite file), for the commands that need a fresh one. */
        const other = (suffix: string) => {
          const u = c.adapter === 'sqlite' ? `sqlite:${c.database.replace(/\.sqlite3$/, `_${suffix}.sqlite3`)}` : `${url}_${suffix}`;
          return { env: { DATABASE_URL: u }, run: (...args: string[]) => stryke(['db', ...args, '--root', SAMPLE], { env: { DATABASE_URL: u } }) };
        };
        const loaded = other('loaded');
        const race = other('race');
        after(() => { loaded.run('drop'); race.run('drop'); });

        it('dumps db/schema.json after migrate; redo, migrate --to and the reversibility check', () => {
          const schema = join(SAMPLE, 'db', 'schema.json');
          assert.equal(run('migrate', '--to', '0').status, 0);
          const migrated = run('migrate');
          assert.equal(migrated.status, 0, migrated.stderr);
          assert.match(migrated.stdout, /Wrote db\/schema\.json/);
          const dump = JSON.parse(readFileSync(schema, 'utf8'));
          assert.equal(dump.format, 'stryke-schema/1');
          assert.deepEqual(dump.tables.map((t: { name: string }) => t.name), ['admin_audit_log', 'comments', 'password_resets', 'posts', 'sessions', 'storage_attachments', 'storage_blobs', 'users']);
          assert.deepEqual(dump.tables.find((t: { name: string }) => t.name === 'posts').columns.find((col: { name: string }) => col.name === 'title'), { name: 'title', type: 'string', limit: 200, null: false });

          const redo = run('redo');
          assert.equal(redo.status, 0, redo.stderr);
          assert.match(redo.stdout, /reverting 20261207130000 CreateAdmin … done[\s\S]*migrating 20261207130000 CreateAdmin … done/);

          const down = run('migrate', '--to', '20260426120000');
          assert.equal(down.status, 0, down.stderr);
          assert.match(down.stdout, /reverting 20260426120100 CreateComments … done/);
          assert.match(run('status').stdout, /down\s+20260426120100\s+create_comments[\s\S]*Current version: 20260426120000; 5 pending/);
          const unknown = run('migrate', '--to', '20260426999999');
          assert.equal(unknown.status, 1);
          assert.match(unknown.stderr, /No migration has version 20260426999999\. Versions that day: 20260426120000, 20260426120100, 20260426120200, 20260426120300\./);
          assert.equal(run('migrate').status, 0);

          const check = run('check-reversible');
          assert.equal(check.status, 0, check.stderr);
          assert.match(check.stdout, /ok {2}20260426120000 create_posts: up, down, up/);
          assert.match(check.stdout, /Reversible: \d+ migration\(s\)\./);
        });

        it('schema:load builds a fresh database from db/schema.json; reset drops and sets it up again', () => {
          assert.ok(existsSync(join(SAMPLE, 'db', 'schema.json')));
          const load = loaded.run('schema:load');
          assert.equal(load.status, 0, load.stderr);
          assert.match(load.stdout, /Loaded db\/schema\.json into .*: 8 table\(s\), \d+ migration\(s\) marked applied/);
          assert.match(loaded.run('migrate').stdout, /Nothing to migrate/);
          const again = loaded.run('schema:load');
          assert.equal(again.status, 1);
          assert.match(again.stderr, /already has tables \(admin_audit_log, comments, password_resets, posts, sessions, storage_attachments, storage_blobs, users\).*STRYKE_E_MIGRATION_SCHEMA_NOT_EMPTY/);
          assert.equal(loaded.run('seed').status, 0);
          const reset = loaded.run('reset');
          assert.equal(reset.status, 0, reset.stderr);
          assert.match(reset.stdout, /Dropped[\s\S]*Loaded db\/schema\.json[\s\S]*Seeded/);
        });

        it('two migrate runs at once apply each migration once (the migration lock)', async () => {
          assert.equal(race.run('create').status, 0);
          const both = await Promise.all([0, 1].map(() => new Promise<{ code: number | null; out: string }>((done) => {
            const child = strykeBackground(['db', 'migrate', '--root', SAMPLE, '--no-dump'], { env: race.env });
            let out = '';
            child.stdout!.on('data', (d) => { out += d; });
            child.stderr!.on('data', (d) => { out += d; });
            child.on('close', (code) => done({ code, out }));
          })));
          for (const r of both) assert.equal(r.code, 0, r.out);
          const all = both.map((r) => r.out).join('\n');
          assert.equal(all.match(/migrating 20260426120000 CreatePosts … done/g)?.length, 1, all);
          assert.equal(all.match(/migrating 20260426120100 CreateComments … done/g)?.length, 1, all);
          assert.match(all, /Nothing to migrate/);
        });

        it('refuses a bad --step in one line', () => {
          const res = run('rollback', '--step', 'two');
          assert.equal(res.status, 1);
          assert.equal(res.stderr.trim().split('\n').length, 1);
          assert.match(res.stderr, /--step must be a positive integer/);
        });
      });
    }
  });
}
