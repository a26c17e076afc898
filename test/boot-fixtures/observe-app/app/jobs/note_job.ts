import { ApplicationJob, Job } from 'stryke/jobs';
import { log } from 'stryke/observability';
import { Database } from 'stryke/orm';

/** What the test reads back: each perform's outcome. */
export const performed: string[] = [];

@Job({ queue: 'notes', attempts: 1 })
export class NoteJob extends ApplicationJob {
  async perform(text: string) {
    log().info({ text }, 'performing note job');
    if (text === 'boom') throw new Error('the note job failed on purpose');
    const db = NoteJob.db!;
    await db.select('SELECT 1 AS one');
    performed.push(text);
  }

  static db?: Database;
}
