import { ActionController, Controller, Get } from 'stryke';
import { trace } from '@opentelemetry/api';
import { log } from 'stryke/observability';
import { NoteJob } from '../jobs/note_job';

@Controller('/notes')
export class NotesController extends ActionController {
  @Get('/:id')
  async show() {
    const rows = await NoteJob.db!.select('SELECT ? AS id', [Number(this.params.id)]);
    log().info({ id: rows[0]!.id }, 'note shown');
    return this.json({ id: rows[0]!.id });
  }

  @Get('/:id/later')
  async later() {
    await NoteJob.performLater(String(this.params.text ?? 'hello'));
    return this.json({ queued: true });
  }

  /** An app's own span around its own work (tracing.test.ts): it nests under the action, its SQL under it. */
  @Get('/:id/own-span')
  async ownSpan() {
    const rows = await trace.getTracer('app').startActiveSpan('app work', async (span) => {
      try {
        await new Promise((r) => setTimeout(r, 1));
        return await NoteJob.db!.select('SELECT ? AS own', [Number(this.params.id)]);
      } finally {
        span.end();
      }
    });
    return this.json({ own: rows[0]!.own });
  }
}
