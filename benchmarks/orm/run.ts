/**
 * stryke models against the raw driver and against TypeORM's Repository, side by side in one process, on
 * SQLite and PostgreSQL (when reachable):
 *
 * - find:     `Post.find(id)`: one row by primary key
 * - where:    `Post.where({ published: true }).order('createdAt', 'desc').limit(20)`
 * - includes: the same 20 rows with `.includes('author', 'comments')`
 *
 * Each contender does the same work: the same SQL shape, the same rows. The raw driver returns plain rows
 * (no Date parsing, no objects per record), matched by hand for includes. Rounds alternate between the
 * contenders so drift affects them alike; each round runs one contender for --seconds and counts
 * sequential awaited operations.
 *
 *   node build/benchmarks/orm/run.js [--seconds 0.5] [--rounds 12] [--only sqlite|postgres] [--case find|where|includes]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createApp, type App } from 'stryke';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import { DataSource, EntitySchema, type Repository } from 'typeorm';
import type { Post as PostModel } from './app/app/models/post';

interface SqliteStatement {
  get(...binds: unknown[]): unknown;
  all(...binds: unknown[]): unknown[];
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => { prepare(sql: string): SqliteStatement; close(): void };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const SECONDS = Number(arg('seconds', '0.5'));
const ROUNDS = Number(arg('rounds', '12'));
const ONLY = arg('only', '');
const CASE = arg('case', '');
const USERS = 50;
const POSTS = 2000;
const COMMENTS_PER_POST = 3;

type Op = () => Promise<unknown>;
interface Contenders {
  stryke: Op;
  raw: Op;
  typeorm: Op;
}

/** ids 1..POSTS in a fixed scattered order, the same for every contender. */
function idSequence(): () => number {
  let i = 0;
  return () => ((i++ * 7919) % POSTS) + 1;
}

async function measure(op: Op, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) await op();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

function ddl(adapter: 'sqlite' | 'postgres'): string[] {
  const pk = adapter === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'SERIAL PRIMARY KEY';
  const ts = adapter === 'sqlite' ? 'datetime' : 'timestamptz';
  return [
    'DROP TABLE IF EXISTS bench_comments', 'DROP TABLE IF EXISTS bench_posts', 'DROP TABLE IF EXISTS bench_users',
    `CREATE TABLE bench_users (id ${pk}, name varchar(100) NOT NULL, email varchar(200) NOT NULL)`,
    `CREATE TABLE bench_posts (id ${pk}, title varchar(200) NOT NULL, body text NOT NULL, published boolean NOT NULL, views integer NOT NULL, "authorId" integer NOT NULL REFERENCES bench_users(id), "createdAt" ${ts} NOT NULL, "updatedAt" ${ts} NOT NULL)`,
    'CREATE INDEX bench_posts_pub ON bench_posts (published, "createdAt")',
    `CREATE TABLE bench_comments (id ${pk}, "postId" integer NOT NULL REFERENCES bench_posts(id), body text NOT NULL)`,
    'CREATE INDEX bench_comments_post ON bench_comments ("postId")',
  ];
}

async function seed(app: App): Promise<void> {
  const { db } = app;
  for (const sql of ddl(db.dialect.adapter as 'sqlite' | 'postgres')) await db.run(sql);
  const ph = (n: number) => db.dialect.placeholder(n);
  const batch = async (table: string, cols: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      let n = 0;
      const values = chunk.map((r) => `(${r.map(() => ph(++n)).join(', ')})`).join(', ');
      await db.run(`INSERT INTO ${table} (${cols.map((c) => db.dialect.quote(c)).join(', ')}) VALUES ${values}`, chunk.flat());
    }
  };
  const bool = (b: boolean) => (db.dialect.adapter === 'sqlite' ? (b ? 1 : 0) : b);
  const date = (i: number) => (db.dialect.adapter === 'sqlite' ? new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() : new Date(Date.UTC(2026, 0, 1) + i * 60_000));
  await batch('bench_users', ['name', 'email'], Array.from({ length: USERS }, (_, i) => [`User ${i}`, `user${i}@example.com`]));
  await batch('bench_posts', ['title', 'body', 'published', 'views', 'authorId', 'createdAt', 'updatedAt'],
    Array.from({ length: POSTS }, (_, i) => [`Post number ${i}`, 'Lorem ipsum dolor sit amet, '.repeat(8), bool(i % 2 === 0), i % 500, (i % USERS) + 1, date(i), date(i)]));
  const comments: unknown[][] = [];
  for (let p = 1; p <= POSTS; p++) for (let c = 0; c < COMMENTS_PER_POST; c++) comments.push([p, `Comment ${c} on ${p}`]);
  await batch('bench_comments', ['postId', 'body'], comments);
}

function typeormEntities(adapter: 'sqlite' | 'postgres') {
  const ts = adapter === 'sqlite' ? 'datetime' : 'timestamptz';
  const User = new EntitySchema<any>({
    name: 'BenchUser', tableName: 'bench_users',
    columns: { id: { type: Number, primary: true, generated: true }, name: { type: String }, email: { type: String } },
  });
  const Post = new EntitySchema<any>({
    name: 'BenchPost', tableName: 'bench_posts',
    columns: {
      id: { type: Number, primary: true, generated: true }, title: { type: String }, body: { type: 'text' },
      published: { type: Boolean }, views: { type: Number }, authorId: { type: Number },
      createdAt: { type: ts as any }, updatedAt: { type: ts as any },
    },
    relations: {
      author: { type: 'many-to-one', target: 'BenchUser', joinColumn: { name: 'authorId' } },
      comments: { type: 'one-to-many', target: 'BenchComment', inverseSide: 'post' },
    },
  });
  const Comment = new EntitySchema<any>({
    name: 'BenchComment', tableName: 'bench_comments',
    columns: { id: { type: Number, primary: true, generated: true }, postId: { type: Number }, body: { type: 'text' } },
    relations: { post: { type: 'many-to-one', target: 'BenchPost', joinColumn: { name: 'postId' } } },
  });
  return [User, Post, Comment];
}

interface Raw {
  find(id: number): Promise<unknown>;
  where(): Promise<unknown[]>;
  includes(): Promise<unknown[]>;
  close(): Promise<void>;
}

const WHERE_SQL = (q: (s: string) => string, p: string) =>
  `SELECT * FROM bench_posts WHERE published = ${p} ORDER BY ${q('createdAt')} DESC LIMIT 20`;

/** The raw driver, used as a careful hand would: prepared statements on SQLite, a pool on PostgreSQL. */
function rawDriver(config: DatabaseConfig, file: string | undefined): Raw {
  const attach = (posts: any[], users: any[], comments: any[]) => {
    const byId = new Map(users.map((u) => [u.id, u]));
    const groups = new Map<number, any[]>();
    for (const c of comments) {
      const g = groups.get(c.postId);
      if (g) g.push(c);
      else groups.set(c.postId, [c]);
    }
    for (const p of posts) {
      p.author = byId.get(p.authorId) ?? null;
      p.comments = groups.get(p.id) ?? [];
    }
    return posts;
  };
  if (config.adapter === 'sqlite') {
    const db = new BetterSqlite3(file!);
    const find = db.prepare('SELECT * FROM bench_posts WHERE id = ? LIMIT 1');
    const where = db.prepare(WHERE_SQL((s) => `"${s}"`, '?'));
    const inList = new Map<string, SqliteStatement>();
    const stmt = (sql: string) => {
      let s = inList.get(sql);
      if (!s) inList.set(sql, (s = db.prepare(sql)));
      return s;
    };
    const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    return {
      find: async (id) => find.get(id),
      where: async () => where.all(1),
      includes: async () => {
        const posts = where.all(1) as any[];
        const authorIds = [...new Set(posts.map((p) => p.authorId))];
        const postIds = posts.map((p) => p.id);
        const users = stmt(`SELECT * FROM bench_users WHERE id IN (${list(authorIds.length)})`).all(...authorIds);
        const comments = stmt(`SELECT * FROM bench_comments WHERE "postId" IN (${list(postIds.length)})`).all(...postIds);
        return attach(posts, users, comments);
      },
      close: async () => db.close(),
    };
  }
  const pool = new Pool({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database, max: 10 });
  const list = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
  const whereSql = WHERE_SQL((s) => `"${s}"`, '$1');
  return {
    find: async (id) => (await pool.query('SELECT * FROM bench_posts WHERE id = $1 LIMIT 1', [id])).rows[0],
    where: async () => (await pool.query(whereSql, [true])).rows,
    includes: async () => {
      const posts = (await pool.query(whereSql, [true])).rows;
      const authorIds = [...new Set(posts.map((p) => p.authorId))];
      const postIds = posts.map((p) => p.id);
      const users = (await pool.query(`SELECT * FROM bench_users WHERE id IN (${list(authorIds.length)})`, authorIds)).rows;
      const comments = (await pool.query(`SELECT * FROM bench_comments WHERE "postId" IN (${list(postIds.length)})`, postIds)).rows;
      return attach(posts, users, comments);
    },
    close: () => pool.end(),
  };
}

const PG = { host: '127.0.0.1', port: 5432, username: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD };

async function pgReachable(): Promise<boolean> {
  const pool = new Pool({ host: PG.host, port: PG.port, user: PG.username, password: PG.password, database: 'postgres', connectionTimeoutMillis: 3000 });
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}

async function benchDatabase(name: 'sqlite' | 'postgres', dir: string): Promise<Record<string, Record<keyof Contenders, number>>> {
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'orm', 'app');
  const file = join(dir, 'bench.sqlite3');
  const config: DatabaseConfig = name === 'sqlite'
    ? { adapter: 'sqlite', database: file }
    : { adapter: 'postgres', database: `stryke_bench_orm_${process.pid}`, ...PG };
  await createDatabase(config, root);
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database: config });
  let raw: Raw | undefined;
  let ds: DataSource | undefined;
  try {
    await seed(app);
    raw = rawDriver(config, file);
    const r = raw;
    const { Post } = require(join(__dirname, 'app', 'app', 'models', 'post.js')) as { Post: typeof PostModel };
    ds = new DataSource(name === 'sqlite'
      ? { type: 'better-sqlite3', database: file, entities: typeormEntities('sqlite') }
      : { type: 'postgres', host: PG.host, port: PG.port, username: PG.username, password: PG.password, database: config.database, entities: typeormEntities('postgres'), poolSize: 10 });
    await ds.initialize();
    const repo: Repository<any> = ds.getRepository('BenchPost');

    const cases: Record<string, Contenders> = {};
    {
      const [a, b, c] = [idSequence(), idSequence(), idSequence()];
      cases['find'] = {
        stryke: () => Post.find(a()),
        raw: () => r.find(b()),
        typeorm: () => repo.findOneBy({ id: c() }),
      };
    }
    cases['where'] = {
      stryke: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).toArray(),
      raw: () => r.where(),
      typeorm: () => repo.find({ where: { published: true }, order: { createdAt: 'DESC' }, take: 20 }),
    };
    cases['includes'] = {
      stryke: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).includes('author', 'comments').toArray(),
      raw: () => r.includes(),
      typeorm: () => repo.find({ where: { published: true }, order: { createdAt: 'DESC' }, take: 20, relations: { author: true, comments: true } }),
    };

    // The same answer from each: 20 posts, each with its author and 3 comments.
    const check = (await cases['includes']!.stryke()) as any[];
    const checkT = (await cases['includes']!.typeorm()) as any[];
    const checkR = (await cases['includes']!.raw()) as any[];
    for (const list of [check, checkT, checkR]) {
      if (list.length !== 20 || list.some((p) => p.comments.length !== COMMENTS_PER_POST || !p.author)) throw new Error(`${name}: the contenders disagree`);
    }

    const out: Record<string, Record<keyof Contenders, number>> = {};
    for (const [label, contenders] of Object.entries(cases)) {
      if (CASE && label !== CASE) continue;
      for (const op of Object.values(contenders)) await measure(op, 0.5); // warm-up
      const sums = { stryke: 0, raw: 0, typeorm: 0 };
      // Short rounds, rotating which contender goes first, so load from elsewhere on the machine falls on all alike.
      const order = ['raw', 'stryke', 'typeorm'] as const;
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < 3; k++) {
          const kind = order[(r + k) % 3]!;
          sums[kind] += await measure(contenders[kind], SECONDS);
        }
      }
      out[label] = { stryke: sums.stryke / ROUNDS, raw: sums.raw / ROUNDS, typeorm: sums.typeorm / ROUNDS };
      const o = out[label]!;
      console.log(`${name} ${label}: stryke ${o.stryke.toFixed(0)}/s, raw ${o.raw.toFixed(0)}/s, typeorm ${o.typeorm.toFixed(0)}/s`);
    }
    return out;
  } finally {
    await ds?.destroy();
    await raw?.close();
    await app.close();
    await dropDatabase(config, root).catch(() => undefined);
  }
}

async function main() {
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const dir = mkdtempSync(join(tmpdir(), 'stryke-bench-orm-'));
  const rows: string[] = [];
  try {
    const targets: ('sqlite' | 'postgres')[] = [];
    if (!ONLY || ONLY === 'sqlite') targets.push('sqlite');
    if (!ONLY || ONLY === 'postgres') {
      if (await pgReachable()) targets.push('postgres');
      else console.log('# skipping postgres: unreachable at 127.0.0.1:5432');
    }
    for (const t of targets) {
      const res = await benchDatabase(t, dir);
      for (const [label, r] of Object.entries(res)) {
        rows.push(`| ${t} | ${label} | ${r.raw.toFixed(0)} | ${r.typeorm.toFixed(0)} | ${r.stryke.toFixed(0)} | ${(r.stryke / r.raw).toFixed(2)}x | ${(r.stryke / r.typeorm).toFixed(2)}x |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| database | case | raw driver ops/s | TypeORM Repository ops/s | stryke ops/s | stryke / raw | stryke / TypeORM |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
