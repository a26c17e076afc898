/**
 * stryke models against the raw driver and against TypeORM's Repository, side by side in one process, on
 * SQLite and PostgreSQL (when reachable):
 *
 * - find:     `Post.find(id)`: one row by primary key
 * - where:    `Post.where({ published: true }).order('createdAt', 'desc').limit(20)`
 * - includes: the same 20 rows with `.includes('author', 'comments')`
 *
 * Each contender does the same work: the same SQL shape, the same rows. The raw driver returns plain rows
 * (no Date parsing on SQLite; node-postgres's defaults on PostgreSQL, its Dates included; no objects per
 * record), matched by hand for includes; on PostgreSQL it sends named prepared statements, as stryke does.
 * stryke reads rows as arrays (better-sqlite3's raw mode; on PostgreSQL the values' text, converted by its
 * own row mapper) and maps them to records itself; so that this shows, there is a fourth contender, "raw
 * arrays": the same plain rows as "raw", read as arrays (node-postgres's `rowMode: 'array'`, which still
 * parses every value) and made into objects by a hand-written loop. Rounds alternate between the
 * contenders so drift affects them alike; each round runs one contender for --seconds and counts
 * sequential awaited operations.
 *
 *   node build/benchmarks/orm/run.js [--seconds 0.5] [--rounds 12] [--only sqlite|postgres] [--case find|where|includes] [--cpu]
 *
 * `--cpu` counts operations per CPU-second of this process instead of per second of wall time: steadier
 * on a busy machine. It leaves out the database server's work (all of it for PostgreSQL, whose server
 * runs elsewhere), so there it compares only what each contender costs on the client side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createApp, type App } from 'stryke';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import { DataSource, EntitySchema, type Repository } from 'typeorm';
import { pairedRatios } from '../support';
import type { Post as PostModel } from './app/app/models/post';

interface SqliteStatement {
  get(...binds: unknown[]): unknown;
  all(...binds: unknown[]): unknown[];
  raw?(on: boolean): unknown;
  columns?(): { name: string }[];
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
const CPU = process.argv.includes('--cpu');
const USERS = 50;
const POSTS = 2000;
const COMMENTS_PER_POST = 3;

export type Op = () => Promise<unknown>;
export interface Contenders {
  stryke: Op;
  raw: Op;
  typeorm: Op;
  /** Plain rows read as arrays and made into objects by hand. */
  rawArrays?: Op;
}
export type Kind = keyof Contenders;

/** ids 1..POSTS in a fixed scattered order, the same for every contender. */
function idSequence(): () => number {
  let i = 0;
  return () => ((i++ * 7919) % POSTS) + 1;
}

async function measure(op: Op, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) await op();
    n += 50;
  }
  if (CPU) {
    const used = process.cpuUsage(cpu);
    return n / ((used.user + used.system) / 1e6);
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

export async function seed(app: App): Promise<void> {
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
  arrays?: { find(id: number): Promise<unknown>; where(): Promise<unknown[]>; includes(): Promise<unknown[]> };
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
    const statements = new Map<string, SqliteStatement>();
    const stmt = (sql: string, arrays = false) => {
      let s = statements.get(`${arrays}${sql}`);
      if (!s) {
        s = db.prepare(sql);
        if (arrays) s.raw!(true);
        statements.set(`${arrays}${sql}`, s);
      }
      return s;
    };
    const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    const includes = (all: (sql: string, binds: unknown[]) => any[]) => {
      const posts = all(WHERE_SQL((s) => `"${s}"`, '?'), [1]);
      const authorIds = [...new Set(posts.map((p) => p.authorId))];
      const postIds = posts.map((p) => p.id);
      const users = all(`SELECT * FROM bench_users WHERE id IN (${list(authorIds.length)})`, authorIds);
      const comments = all(`SELECT * FROM bench_comments WHERE "postId" IN (${list(postIds.length)})`, postIds);
      return attach(posts, users, comments);
    };
    // Rows read as arrays, made into the same plain objects by a loop over the column names (read once per statement).
    const columnNames = new Map<SqliteStatement, string[]>();
    const objects = (s: SqliteStatement, rows: unknown[][]) => {
      let names = columnNames.get(s);
      if (!names) columnNames.set(s, (names = s.columns!().map((c) => c.name)));
      const out = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const o: Record<string, unknown> = {};
        for (let j = 0; j < names.length; j++) o[names[j]!] = row[j];
        out[i] = o;
      }
      return out;
    };
    const findA = stmt('SELECT * FROM bench_posts WHERE id = ? LIMIT 1', true);
    const whereA = stmt(WHERE_SQL((s) => `"${s}"`, '?'), true);
    return {
      find: async (id) => find.get(id),
      where: async () => where.all(1),
      includes: async () => includes((sql, binds) => stmt(sql).all(...binds)),
      arrays: {
        find: async (id) => {
          const row = findA.get(id) as unknown[] | undefined;
          return row && objects(findA, [row])[0];
        },
        where: async () => objects(whereA, whereA.all(1) as unknown[][]),
        includes: async () => includes((sql, binds) => {
          const s = stmt(sql, true);
          return objects(s, s.all(...binds) as unknown[][]);
        }),
      },
      close: async () => db.close(),
    };
  }
  const pool = new Pool({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database, max: 10 });
  const list = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
  const whereSql = WHERE_SQL((s) => `"${s}"`, '$1');
  // Named prepared statements (node-postgres parses and plans each once per connection), as stryke sends its SELECTs.
  const names = new Map<string, string>();
  const query = (text: string, values: unknown[]) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `raw_${names.size}`));
    return pool.query({ name, text, values });
  };
  const includes = async (all: (sql: string, binds: unknown[]) => Promise<any[]>) => {
    const posts = await all(whereSql, [true]);
    const authorIds = [...new Set(posts.map((p) => p.authorId))];
    const postIds = posts.map((p) => p.id);
    const users = await all(`SELECT * FROM bench_users WHERE id IN (${list(authorIds.length)})`, authorIds);
    const comments = await all(`SELECT * FROM bench_comments WHERE "postId" IN (${list(postIds.length)})`, postIds);
    return attach(posts, users, comments);
  };
  // Rows as arrays (the driver still parses each value), made into the same plain objects by a loop over the column names.
  const arrayNames = new Map<string, string>();
  const objects = async (text: string, values: unknown[]) => {
    let name = arrayNames.get(text);
    if (!name) arrayNames.set(text, (name = `raw_arrays_${arrayNames.size}`));
    const r = await pool.query({ name, text, values, rowMode: 'array' });
    const names = r.fields.map((f) => f.name);
    const out = new Array(r.rows.length);
    for (let i = 0; i < r.rows.length; i++) {
      const row = r.rows[i]!;
      const o: Record<string, unknown> = {};
      for (let j = 0; j < names.length; j++) o[names[j]!] = row[j];
      out[i] = o;
    }
    return out;
  };
  return {
    find: async (id) => (await query('SELECT * FROM bench_posts WHERE id = $1 LIMIT 1', [id])).rows[0],
    where: async () => (await query(whereSql, [true])).rows,
    includes: () => includes(async (sql, binds) => (await query(sql, binds)).rows),
    arrays: {
      find: async (id) => (await objects('SELECT * FROM bench_posts WHERE id = $1 LIMIT 1', [id]))[0],
      where: () => objects(whereSql, [true]),
      includes: () => includes(objects),
    },
    close: () => pool.end(),
  };
}

export const PG = { host: '127.0.0.1', port: 5432, username: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD };

export async function pgReachable(): Promise<boolean> {
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

/** The database a benchmark run uses: a file in `dir` for SQLite, a database of this process on PostgreSQL. */
export function benchConfig(name: 'sqlite' | 'postgres', dir: string, database = `stryke_bench_orm_${process.pid}`): DatabaseConfig {
  return name === 'sqlite' ? { adapter: 'sqlite', database: join(dir, 'bench.sqlite3') } : { adapter: 'postgres', database, ...PG };
}

export const APP_ROOT = join(__dirname, '..', '..', '..', 'benchmarks', 'orm', 'app');

export interface Bench {
  cases: Record<string, Contenders>;
  close(): Promise<void>;
}

/**
 * The contenders of every case over one database, checked to give the same answer. `create` makes and
 * seeds the database first (otherwise it must exist, seeded: a second process measuring the same one).
 */
export async function contenders(config: DatabaseConfig, options: { create: boolean }): Promise<Bench> {
  const name = config.adapter as 'sqlite' | 'postgres';
  const root = APP_ROOT;
  if (options.create) await createDatabase(config, root);
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database: config });
  let raw: Raw | undefined;
  let ds: DataSource | undefined;
  // Whatever was opened, closed again (and the database dropped when this made it).
  const close = async () => {
    if (ds?.isInitialized) await ds.destroy();
    await raw?.close();
    await app.close();
    if (options.create) await dropDatabase(config, root).catch(() => undefined);
  };
  try {
    if (options.create) await seed(app);
    raw = rawDriver(config, config.database);
    const r = raw;
    const { Post } = require(join(__dirname, 'app', 'app', 'models', 'post.js')) as { Post: typeof PostModel };
    ds = new DataSource(name === 'sqlite'
      ? { type: 'better-sqlite3', database: config.database, entities: typeormEntities('sqlite') }
      : { type: 'postgres', host: PG.host, port: PG.port, username: PG.username, password: PG.password, database: config.database, entities: typeormEntities('postgres'), poolSize: 10 });
    await ds.initialize();
    const repo: Repository<any> = ds.getRepository('BenchPost');

    const cases: Record<string, Contenders> = {};
    {
      const [a, b, c, d] = [idSequence(), idSequence(), idSequence(), idSequence()];
      cases['find'] = {
        stryke: () => Post.find(a()),
        raw: () => r.find(b()),
        typeorm: () => repo.findOneBy({ id: c() }),
        ...(r.arrays ? { rawArrays: () => r.arrays!.find(d()) } : {}),
      };
    }
    cases['where'] = {
      stryke: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).toArray(),
      raw: () => r.where(),
      typeorm: () => repo.find({ where: { published: true }, order: { createdAt: 'DESC' }, take: 20 }),
      ...(r.arrays ? { rawArrays: () => r.arrays!.where() } : {}),
    };
    cases['includes'] = {
      stryke: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).includes('author', 'comments').toArray(),
      raw: () => r.includes(),
      typeorm: () => repo.find({ where: { published: true }, order: { createdAt: 'DESC' }, take: 20, relations: { author: true, comments: true } }),
      ...(r.arrays ? { rawArrays: () => r.arrays!.includes() } : {}),
    };

    // The same answer from each: 20 posts, each with its author and 3 comments.
    const check = (await cases['includes']!.stryke()) as any[];
    const checkT = (await cases['includes']!.typeorm()) as any[];
    const checkR = (await cases['includes']!.raw()) as any[];
    const checkA = ((await cases['includes']!.rawArrays?.()) ?? checkR) as any[];
    for (const list of [check, checkT, checkR, checkA]) {
      if (list.length !== 20 || list.some((p) => p.comments.length !== COMMENTS_PER_POST || !p.author)) throw new Error(`${name}: the contenders disagree`);
    }
    if (JSON.stringify(checkA) !== JSON.stringify(checkR)) throw new Error(`${name}: raw rows as arrays differ from raw rows`);
    return { cases, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** A case's result: each contender's mean rate over the rounds, and the rounds' rates one by one. */
interface CaseResult {
  mean: Partial<Record<Kind, number>>;
  rounds: Partial<Record<Kind, number[]>>;
}

/** The median of stryke's rate over another contender's, round by round (the two ran back to back in each). */
function pairedMedian(r: CaseResult, other: Kind): number {
  return pairedRatios(r.rounds.stryke!, r.rounds[other]!).median;
}

async function benchDatabase(name: 'sqlite' | 'postgres', dir: string): Promise<Record<string, CaseResult>> {
  const bench = await contenders(benchConfig(name, dir), { create: true });
  try {
    const { cases } = bench;
    const out: Record<string, CaseResult> = {};
    for (const [label, ops] of Object.entries(cases)) {
      if (CASE && label !== CASE) continue;
      for (const op of Object.values(ops)) await measure(op, 0.5); // warm-up
      const kinds = (['raw', 'stryke', 'typeorm', 'rawArrays'] as const).filter((k) => ops[k]);
      const rounds: Partial<Record<Kind, number[]>> = {};
      for (const k of kinds) rounds[k] = [];
      // Short rounds, rotating which contender goes first, so load from elsewhere on the machine falls on all alike.
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < kinds.length; k++) {
          const kind = kinds[(r + k) % kinds.length]!;
          rounds[kind]!.push(await measure(ops[kind]!, SECONDS));
        }
      }
      const mean: Partial<Record<Kind, number>> = {};
      for (const k of kinds) mean[k] = rounds[k]!.reduce((a, b) => a + b, 0) / ROUNDS;
      out[label] = { mean, rounds };
      console.log(`${name} ${label}: ${kinds.map((k) => `${k} ${mean[k]!.toFixed(0)}/s`).join(', ')}`);
    }
    return out;
  } finally {
    await bench.close();
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
        const [raw, typeorm, stryke, arrays] = [r.mean.raw!, r.mean.typeorm!, r.mean.stryke!, r.mean.rawArrays];
        rows.push(`| ${t} | ${label} | ${raw.toFixed(0)} | ${typeorm.toFixed(0)} | ${stryke.toFixed(0)} | ${(stryke / raw).toFixed(2)}x (${pairedMedian(r, 'raw').toFixed(2)}x) | ${(stryke / typeorm).toFixed(2)}x (${pairedMedian(r, 'typeorm').toFixed(2)}x) | ${arrays ? `${arrays.toFixed(0)} (${(stryke / arrays).toFixed(2)}x)` : '-'} |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (CPU) console.log('\n(ops per CPU-second of the benchmark process)');
  console.log('\nA ratio is of the mean rates over all rounds; in brackets, the median of the rounds\' ratios (a round runs every contender once, back to back).');
  console.log('\n| database | case | raw driver ops/s | TypeORM Repository ops/s | stryke ops/s | stryke / raw | stryke / TypeORM | raw, rows as arrays ops/s (stryke / it) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

// Run as a script; required (by a profiling loop), it only lends `seed`.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
