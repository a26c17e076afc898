/**
 * The booting process of test/db/sqlite-open-lock.test.ts: boots the blog fixture on the given SQLite file (as a
 * `stryke start` worker boots), then prints the file's journal mode, or the error the boot failed with.
 */
import { createApp } from 'stryke';

async function main(): Promise<void> {
  const [root, file] = process.argv.slice(2) as [string, string];
  try {
    const app = await createApp({ root, env: 'test', database: { adapter: 'sqlite', database: file, busy_timeout: 600 } });
    const [row] = await app.db.select('PRAGMA journal_mode');
    process.stdout.write(`booted ${String(row?.journal_mode)}\n`);
    await app.close();
  } catch (err) {
    process.stdout.write(`failed ${String((err as { code?: string }).code ?? '')} ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

void main();
