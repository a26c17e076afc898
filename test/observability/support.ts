import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from 'stryke';
import { startJobs } from 'stryke/jobs';

export const SOURCE = join(__dirname, '..', '..', '..', 'test', 'boot-fixtures', 'observe-app');
export const BUILD = join(__dirname, '..', 'boot-fixtures', 'observe-app');

/** The fixture's controller and job reach the database through NoteJob.db (set here, after boot). */
export async function boot(lines: string[], level = 'debug'): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-observe-'));
  const app = await createApp({
    root: SOURCE, buildDir: BUILD, env: 'test',
    database: { adapter: 'sqlite', database: join(dir, 'db.sqlite3') },
    logger: { level, stream: { write: (l: string) => void lines.push(l) } },
  });
  (require(join(BUILD, 'app', 'jobs', 'note_job.js')) as { NoteJob: { db?: unknown } }).NoteJob.db = app.db;
  // A fixture compiled with the tests is not under <root>/build/app, so boot does not start its jobs: configure them here.
  await startJobs({ root: SOURCE, config: app.config, database: app.db.config, workers: false });
  return app;
}

