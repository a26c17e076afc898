import { ActionController, Controller, Get } from 'stryke';
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
}
