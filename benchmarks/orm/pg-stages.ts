/**
 * The parts of one `where` call on PostgreSQL, in CPU microseconds of this process per operation (the
 * server's work is left out): the driver's query as the raw contender sends it (objects, then arrays),
 * the connection's execute (rows as text arrays), with the row mapper, and the whole chain.
 *
 *   node build/benchmarks/orm/pg-stages.js [iterations]
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { createApp } from 'stryke';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import type { Post as PostModel } from './app/app/models/post';
import { seed } from './run';

const stages: [string, number, () => Promise<unknown> | unknown][] = [];
function cpu(label: string, n: number, fn: () => Promise<unknown> | unknown): void {
  stages.push([label, n, fn]);
}

/** Rounds over all stages in turn (drift falls on all alike); the best round of each. */
async function runStages(): Promise<void> {
  const best = stages.map(() => Infinity);
  for (const [, n, fn] of stages) for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  for (let round = 0; round < 7; round++) {
    for (const [k, [, n, fn]] of stages.entries()) {
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      const used = process.cpuUsage(start);
      best[k] = Math.min(best[k]!, (used.user + used.system) / n);
    }
  }
  for (const [k, [label]] of stages.entries()) console.log(`${label.padEnd(36)} ${best[k]!.toFixed(1)} µs CPU`);
}

async function main() {
  const n = Number(process.argv[2] ?? 3000);
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'orm', 'app');
  const PG = { host: '127.0.0.1', port: 5432, username: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD };
  const config: DatabaseConfig = { adapter: 'postgres', database: `stryke_pgstages_${process.pid}`, ...PG };
  await createDatabase(config, root);
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database: config });
  const pool = new Pool({ host: PG.host, port: PG.port, user: PG.username, password: PG.password, database: config.database, max: 10 });
  try {
    await seed(app);
    const { Post } = require(join(__dirname, 'app', 'app', 'models', 'post.js')) as { Post: typeof PostModel };
    const chain = () => Post.where({ published: true }).order('createdAt', 'desc').limit(20);
    const { sql, binds } = chain().toSQL();
    const meta = (Post as any)[Symbol.for('stryke.model.meta')];
    const out = await app.db.execute(sql, binds, true);
    if (!out.columns) throw new Error('expected rows as arrays');
    const hydrate = meta.arrayHydrator(out.columns);
    const rel = chain();
    cpu('pool.query objects (raw)', n, () => pool.query({ name: 'a', text: sql, values: binds }));
    cpu('pool.query arrays', n, () => pool.query({ name: 'b', text: sql, values: binds, rowMode: 'array' }));
    cpu('db.execute arrays', n, () => app.db.execute(sql, binds, true));
    cpu('db.execute arrays + hydrate', n, async () => {
      const r = await app.db.execute(sql, binds, true);
      const h = meta.arrayHydrator(r.columns);
      return r.rows.map((row) => h(row));
    });
    cpu('a prebuilt relation .toArray()', n, () => rel.toArray());
    cpu('chain().toArray()', n, () => chain().toArray());
    cpu('chain build + toSQL', n * 10, () => chain().toSQL());
    cpu('map 20 rows to records', n * 10, () => (out.rows as unknown as unknown[][]).map((r) => hydrate(r)));
    await runStages();
  } finally {
    await pool.end();
    await app.close();
    await dropDatabase(config, root).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
