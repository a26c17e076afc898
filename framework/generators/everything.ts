import { nearest } from '../support/suggest';
import { applyPlan, renderSchematics, type ApplyOptions, type Outcome } from './engine';
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
  const files = renderSchematics(['everything'], { app });
  out.push(...applyPlan(root, files, options));
  // The files this run wrote: a part's `exist` lines are shared files another part (or the app) wrote first.
  return out.filter((o) => o.status === 'create');
}
