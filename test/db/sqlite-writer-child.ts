/**
 * One of the processes of test/db/sqlite-concurrency.test.ts: boots the blog fixture on a shared SQLite file,
 * says "ready", waits for "go" on stdin, then runs model transactions that read, update and delete the same
 * rows as the other process does, and prints which error codes it met (none expected).
 */
import { join } from 'node:path';
import { createApp } from 'stryke';

async function main(): Promise<void> {
  const [root, file, rounds] = process.argv.slice(2) as [string, string, string];
  const app = await createApp({ root, env: 'test', database: { adapter: 'sqlite', database: file } });
  const { User } = require(join(root, 'build', 'app', 'models', 'user.js'));
  process.stdout.write('ready\n');
  await new Promise((r) => process.stdin.once('data', r));
  const errors: string[] = [];
  let deleted = 0;
  let updated = 0;
  for (let i = 0; i < Number(rounds); i++) {
    try {
      await User.transaction(async () => {
        // Read first, then write: a deferred transaction would have to upgrade its lock here.
        const shared = await User.where({ name: 'shared' }).order('id').limit(3);
        for (const u of shared) await u.update({ score: u.score + 1 });
        const victim = await User.where({ name: 'victim' }).order('id').first();
        if (victim) {
          await victim.destroy();
          deleted++;
        }
        updated += shared.length;
      });
    } catch (err) {
      errors.push(String((err as { code?: string }).code ?? (err as Error).message));
    }
    // Let the other process in between rounds.
    if (i % 5 === 0) await new Promise((r) => setImmediate(r));
  }
  process.stdout.write(`${JSON.stringify({ errors, deleted, updated })}\n`);
  await app.close();
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ fatal: String(err?.stack ?? err) })}\n`);
  process.exit(1);
});
