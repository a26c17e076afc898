import { writeApp } from './cli';

/**
 * The notes app of the production tests (`stryke build`, `stryke db prepare`, `stryke start`): one migration
 * (`20260101000000 CreateNotes`), a seed writing the note "seeded", `GET /notes` listing the notes' texts, and
 * SQLite in development and production.
 */

/** The app's one migration (a second one is made from it by renaming `notes`). */
export const CREATE_NOTES = `import { migration } from 'stryke';

export default migration('CreateNotes', {
  change(m) {
    m.createTable('notes', (t) => {
      t.string('text');
    });
  },
});
`;

/** Writes the notes app (see writeApp); `extra` adds or replaces files. */
export function notesApp(extra: Record<string, string> = {}): string {
  return writeApp({
    'config/server.toml': 'log_level = "warn"\n',
    'config/database.toml': '[development]\nadapter = "sqlite"\ndatabase = "db/development.sqlite3"\n\n[production]\nadapter = "sqlite"\ndatabase = "db/production.sqlite3"\n',
    'db/migrations/20260101000000_create_notes.ts': CREATE_NOTES,
    'db/seeds.ts': `import { Note } from '../app/models/note';\nexport default async function seed() { await Note.create({ text: 'seeded' }); }\n`,
    'app/models/note.ts': `import { ActiveRecord, Field, Model } from 'stryke';

@Model('notes')
export class Note extends ActiveRecord {
  @Field({ primary: true }) id!: number;
  @Field() text!: string;
}
`,
    'app/controllers/notes_controller.ts': `import { ActionController, Controller, Get } from 'stryke';
import { Note } from '../models/note';

@Controller('/notes')
export class NotesController extends ActionController {
  @Get('/')
  async index() {
    return { notes: (await Note.all()).map((n) => n.text) };
  }
}
`,
    ...extra,
  });
}
