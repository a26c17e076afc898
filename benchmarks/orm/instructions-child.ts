/**
 * One contender of one case, run under callgrind by instructions.ts: it opens the benchmark database the
 * parent seeded, runs `n` operations to warm up, says so, and on the parent's word (instrumentation then
 * on) runs `n` more and says done.
 *
 *   valgrind --tool=callgrind ... node instructions-child.js <sqlite|postgres> <database> <case> <contender> <n>
 */
import type { DatabaseConfig } from 'stryke/orm';
import { contenders, PG, type Kind } from './run';

async function main() {
  const [adapter, database, kase, kind, count] = process.argv.slice(2) as ['sqlite' | 'postgres', string, string, Kind, string];
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const config: DatabaseConfig = adapter === 'sqlite' ? { adapter, database } : { adapter, database, ...PG };
  const bench = await contenders(config, { create: false });
  const op = bench.cases[kase]?.[kind];
  if (!op) throw new Error(`no contender ${kind} for case ${kase}`);
  const n = Number(count);
  const run = async () => {
    for (let i = 0; i < n; i++) await op();
  };
  await run();
  process.send!('warm');
  await new Promise((resolve) => process.once('message', resolve));
  await run();
  process.send!('done');
  await new Promise((resolve) => process.once('message', resolve));
  await bench.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
