/**
 * The parts of one `where` call timed apart on SQLite, against the raw driver's statement: building the
 * chain, compiling its SQL (cached), running it through the connection, and hydrating the rows.
 *
 *   node build/benchmarks/orm/stages.js [iterations] [stage label prefix, e.g. chain]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from 'stryke';
import { createDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import type { Post as PostModel } from './app/app/models/post';
import { seed } from './run';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => { prepare(sql: string): { all(...b: unknown[]): any[]; get(...b: unknown[]): any }; close(): void };

const ONLY = process.argv[3];

/** The best of several rounds: on a busy machine the least disturbed round is the closest to the real cost. */
function time(label: string, n: number, fn: () => unknown): void {
  if (ONLY && !label.startsWith(ONLY)) return;
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  console.log(`${label.padEnd(28)} ${best.toFixed(2)} µs`);
}

/** The same for an async operation, awaited one at a time. */
async function timeAsync(label: string, n: number, fn: () => Promise<unknown>): Promise<void> {
  if (ONLY && !label.startsWith(ONLY)) return;
  for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn();
    best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  console.log(`${label.padEnd(28)} ${best.toFixed(2)} µs`);
}

async function main() {
  const n = Number(process.argv[2] ?? 20000);
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'orm', 'app');
  const dir = mkdtempSync(join(tmpdir(), 'stryke-orm-stages-'));
  const config: DatabaseConfig = { adapter: 'sqlite', database: join(dir, 'bench.sqlite3') };
  await createDatabase(config, root);
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database: config });
  const raw = new BetterSqlite3(config.database);
  try {
    await seed(app);
    const { Post } = require(join(__dirname, 'app', 'app', 'models', 'post.js')) as { Post: typeof PostModel };
    const chain = () => Post.where({ published: true }).order('createdAt', 'desc').limit(20);
    const rel = chain();
    const { sql, binds } = rel.toSQL();
    const stmt = raw.prepare(sql);
    const rows = stmt.all(...binds);
    const meta = (Post as any)[Symbol.for('stryke.model.meta')];
    const find = raw.prepare(meta.findSql);
    let id = 0;
    const next = () => ((id++ * 7919) % 2000) + 1;
    await timeAsync('find raw', n, async () => find.get(next()));
    await timeAsync('find stryke', n, () => Post.find(next()));
    await timeAsync('where raw', n, async () => stmt.all(1));
    await timeAsync('where stryke', n, () => chain().toArray());
    time('raw find get', n, () => find.get(7));
    time('raw where all', n, () => stmt.all(1));
    time('chain build', n, chain);
    time('toSQL (cached)', n, () => rel.toSQL());
    time('db.execute (where)', n, () => app.db.execute(sql, binds));
    time('hydrate 20 rows', n, () => rows.map((r) => Post.hydrate(r)));
    time('hydrate 1 row', n, () => Post.hydrate(rows[0]));
  } finally {
    raw.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
