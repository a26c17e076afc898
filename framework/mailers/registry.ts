import { sep } from 'node:path';
import type { MailDefaults } from './message';
import { markLoaded } from '../support';

markLoaded('mailers');

/** What `@Mailer` records about a mailer class when it is defined. */
export interface MailerDecl {
  target: Function;
  /** The class name (`UserMailer`): how a queued delivery names it. */
  name: string;
  /** Its views folder under app/views (`user_mailer`). */
  dir: string;
  /** Its actions: the static methods it declares itself. */
  actions: string[];
  /** The layout its messages use (default `mailer`): `layouts/<layout>.html.hbs` and `.text.hbs`. */
  layout?: string | false;
  defaults: MailDefaults;
  /** `file:line` of the declaration. */
  source: string;
}

/** What `@Preview` records: a class whose methods each return a message to look at. */
export interface PreviewDecl {
  target: Function;
  /** `user_mailer` (from UserMailerPreview): the preview's URL segment. */
  slug: string;
  methods: string[];
  source: string;
}

interface MailerRegistry {
  mailers: Map<Function, MailerDecl>;
  previews: Map<Function, PreviewDecl>;
}

/** One registry per process, shared by every copy of this module. */
const KEY = Symbol.for('stryke.mailers.registry');
export const mailerRegistry: MailerRegistry = ((globalThis as any)[KEY] ??= { mailers: new Map(), previews: new Map() });

/** The mailer named `name` (a class name); the last one defined wins, as for jobs. */
export function mailerNamed(name: string): MailerDecl | undefined {
  let found: MailerDecl | undefined;
  for (const decl of mailerRegistry.mailers.values()) if (decl.name === name) found = decl;
  return found;
}

/** Declarations whose class was defined in a file under `build` (one app's compiled code). */
export function mailersWithin(build: string): MailerDecl[] {
  return [...mailerRegistry.mailers.values()].filter((d) => d.source.startsWith(build + sep));
}

export function previewsWithin(build: string): PreviewDecl[] {
  return [...mailerRegistry.previews.values()].filter((d) => d.source.startsWith(build + sep)).sort((a, b) => a.slug.localeCompare(b.slug));
}

/** `<root>` of a declaration compiled under `<root>/build/app/`, when it can tell. */
export function appRootOf(source: string): string | undefined {
  const marker = `${sep}build${sep}app${sep}`;
  const at = source.indexOf(marker);
  return at < 0 ? undefined : source.slice(0, at);
}
