import { nearest } from '../support';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlan, renderSchematics, statusLine, type ApplyOptions, type Outcome } from './engine';
import { GeneratorErrors } from './errors';
import { generate } from './generate';
import type { AppNames } from './names';

/** The ready-made apps of `stryke new --app <name>`. */
export const APP_KINDS = ['everything'] as const;
export type AppKind = (typeof APP_KINDS)[number];

export function appKind(given: string): AppKind {
  const kind = APP_KINDS.find((k) => k === given.toLowerCase());
  if (kind) return kind;
  const guess = nearest(given, [...APP_KINDS]);
  throw GeneratorErrors.UNKNOWN_APP(given, guess ? ` Did you mean "${guess}"?` : '', APP_KINDS.join(', '));
}

/**
 * What `--app everything` adds after the app, authentication, admin and PWA schematics: each part is what its
 * own generator writes (`stryke generate <generator> <name> <args>`), tests included.
 */
export const EVERYTHING_PARTS: { generator: string; name: string; args: string[] }[] = [
  { generator: 'scaffold', name: 'Post', args: ['title:string', 'body:text', 'published:boolean', 'cover:attachment'] },
  { generator: 'mailer', name: 'PostMailer', args: ['published'] },
  { generator: 'job', name: 'AnnouncePost', args: [] },
  { generator: 'channel', name: 'Chat', args: ['speak'] },
];

/**
 * Runs the parts' generators in the new app at `root`, then writes schematics/everything: the pages that join
 * them (the live chat page, the seeds making the first admin, the app-wide test and browser test). The
 * layout, home page and stylesheet of schematics/app already have the `everything` nav and dashboard.
 */
export function composeEverything(root: string, app: AppNames, options: ApplyOptions): Outcome[] {
  const out: Outcome[] = [];
  for (const part of EVERYTHING_PARTS) out.push(...generate(part.generator, part.name, part.args, { ...options, root }).files);
  for (const [file, edits] of Object.entries(JOINS)) {
    joinPart(root, file, edits);
    (options.log ?? console.log)(statusLine('note', `${file}: joined to the other parts`, options.paint));
  }
  const files = renderSchematics(['everything'], { app });
  out.push(...applyPlan(root, files, options));
  // The files this run wrote: a part's `exist` lines are shared files another part (or the app) wrote first.
  return out.filter((o) => o.status === 'create');
}

/** Lines added to a generated file: after the first line holding `after` (or before the one holding `before`). */
type Join = { after: string; add: string } | { before: string; add: string };

/**
 * The few lines that make the parts work together, each placed by a line the generator writes: a published
 * post enqueues AnnouncePostJob, which says so in the live chat (ChatChannel's stream) and mails each admin
 * PostMailer.published. The job's return value and signature stay the generator's, so its own test holds.
 */
const JOINS: Record<string, Join[]> = {
  'app/controllers/posts_controller.ts': [
    { after: "import { Post } from '../models/post';", add: "import { AnnouncePostJob } from '../jobs/announce_post_job';" },
    { after: '    if (await post.save()) {', add: '      if (post.published) await AnnouncePostJob.performLater(`New post: ${post.title}`);' },
  ],
  'app/jobs/announce_post_job.ts': [
    { after: "import { ApplicationJob, Job } from 'stryke/jobs';", add: "import { broadcastTo } from 'stryke/channels';\nimport { PostMailer } from '../mailers/post_mailer';\nimport { User } from '../models/user';" },
    {
      before: '    return `Announce post: ${message}`;',
      add: [
        '    // Say it in the live chat (the stream app/channels/chat_channel.ts joins), and mail each admin.',
        "    broadcastTo('chat', 'speak', { body: message });",
        '    for (const admin of await User.where({ admin: true })) {',
        '      await PostMailer.published({ name: admin.email, email: admin.email }).deliverLater();',
        '    }',
      ].join('\n'),
    },
  ],
};

function joinPart(root: string, file: string, edits: Join[]): void {
  const path = join(root, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  for (const e of edits) {
    const anchor = 'after' in e ? e.after : e.before;
    const at = lines.indexOf(anchor);
    if (at < 0) throw GeneratorErrors.BAD_TEMPLATE(file, `--app everything adds lines beside "${anchor.trim()}", which the generator no longer writes.`);
    lines.splice('after' in e ? at + 1 : at, 0, e.add);
  }
  writeFileSync(path, lines.join('\n'));
}
