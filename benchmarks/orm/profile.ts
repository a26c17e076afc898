/**
 * One contender and one case in a loop, for `node --cpu-prof`: where the time of a benchmark case goes.
 *
 *   node --cpu-prof --cpu-prof-dir /tmp/prof build/benchmarks/orm/profile.js sqlite|postgres find|where|includes [seconds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from 'stryke';
import { createDatabase, dropDatabase } from 'stryke/migrations';
import type { DatabaseConfig } from 'stryke/orm';
import type { Post as PostModel } from './app/app/models/post';
import { seed } from './run';

async function main() {
  const [db = 'sqlite', kase = 'find', seconds = '3'] = process.argv.slice(2);
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'orm', 'app');
  const dir = mkdtempSync(join(tmpdir(), 'stryke-orm-profile-'));
  const config: DatabaseConfig = db === 'sqlite'
    ? { adapter: 'sqlite', database: join(dir, 'bench.sqlite3') }
    : { adapter: 'postgres', database: `stryke_profile_orm_${process.pid}`, host: '127.0.0.1', port: 5432, username: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD };
  await createDatabase(config, root);
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database: config });
  try {
    await seed(app);
    const { Post } = require(join(__dirname, 'app', 'app', 'models', 'post.js')) as { Post: typeof PostModel };
    let i = 0;
    const ops: Record<string, () => Promise<unknown>> = {
      find: () => Post.find(((i++ * 7919) % 2000) + 1),
      where: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).toArray(),
      includes: () => Post.where({ published: true }).order('createdAt', 'desc').limit(20).includes('author', 'comments').toArray(),
    };
    const op = ops[kase];
    if (!op) throw new Error(`unknown case ${kase}: find, where or includes`);
    const end = performance.now() + Number(seconds) * 1000;
    const start = performance.now();
    let n = 0;
    while (performance.now() < end) {
      for (let k = 0; k < 100; k++) await op();
      n += 100;
    }
    console.log(`${db} ${kase}: ${(n / ((performance.now() - start) / 1000)).toFixed(0)}/s`);
  } finally {
    await app.close();
    await dropDatabase(config, root).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
