import type { PathHelpers } from '../routing';
import { underscore } from '../support';
import { ViewEngine } from '../views';
import { MailerErrors } from './errors';
import type { MailerDecl } from './registry';

/** The two parts a message can have; each is a template `<mailer>/<action>.<part>.hbs`. */
export const PARTS = ['html', 'text'] as const;
export type Part = (typeof PARTS)[number];

/** Mail is read away from the app: every path helper gives an absolute URL from config/mail.toml `default_url`. */
export function absolutePaths(paths: PathHelpers): PathHelpers {
  const out: PathHelpers = { ...paths };
  for (const key of Object.keys(paths)) {
    const twin = `${key.slice(0, -'Path'.length)}Url`;
    if (key.endsWith('Path') && paths[twin]) out[key] = paths[twin]!;
  }
  return out;
}

/** `user_mailer/password_reset` for UserMailer.passwordReset: file names are snake_case, as elsewhere in app/. */
export function templateOf(decl: MailerDecl, action: string): string {
  return `${decl.dir}/${underscore(action)}`;
}

const NO_REQUEST = { csrfToken: () => '', flash: {} };

/**
 * The mailers' templates, compiled once at boot with the views' engine and helpers (the app's partials,
 * `formatDate`, `linkTo`...), path helpers giving absolute URLs. `.text.hbs` templates are not
 * HTML-escaped (views/compile.ts), since a text part is not HTML.
 */
export class MailViews {
  private readonly engine: ViewEngine;

  /** Compiles the templates of these mailers, the mailer layouts and every partial (not the app's pages). */
  constructor(root: string, paths: PathHelpers, mailers: MailerDecl[]) {
    const dirs = mailers.map((m) => `${m.dir}/`);
    const only = (name: string) => dirs.some((d) => name.startsWith(d)) || /(^|\/)_[^/]+$/.test(name) || /^layouts\/.*\.(html|text)$/.test(name);
    this.engine = new ViewEngine(root, absolutePaths(paths), { only });
  }

  /** The parts a mailer action has templates for. */
  partsOf(decl: MailerDecl, action: string): Part[] {
    return PARTS.filter((p) => this.engine.has(`${templateOf(decl, action)}.${p}`));
  }

  /**
   * Checks at boot that every action has a template and that a named layout exists, so a typo fails
   * before the first message, not in a worker at 3 a.m.
   */
  check(decl: MailerDecl): void {
    for (const action of decl.actions) {
      if (!this.partsOf(decl, action).length) {
        throw MailerErrors.MISSING_TEMPLATE(`${decl.name}.${action} (${decl.source})`, `app/views/${templateOf(decl, action)}.html.hbs and .text.hbs`, templateOf(decl, action));
      }
    }
    if (typeof decl.layout === 'string') this.layoutFor(decl.layout, 'html', true);
  }

  /** `layouts/<name>.<part>` when it exists; a layout named explicitly must exist for at least one part. */
  private layoutFor(name: string | false, part: Part, explicit: boolean): string | false {
    if (name === false) return false;
    if (this.engine.has(`layouts/${name}.${part}`)) return `${name}.${part}`;
    if (explicit && !PARTS.some((p) => this.engine.has(`layouts/${name}.${p}`))) throw MailerErrors.MISSING_LAYOUT(name, name);
    return false;
  }

  render(decl: MailerDecl, action: string, locals: Record<string, unknown>, layout: string | false | undefined): Partial<Record<Part, string>> {
    const parts = this.partsOf(decl, action);
    if (!parts.length) throw MailerErrors.MISSING_TEMPLATE(`${decl.name}.${action}`, `app/views/${templateOf(decl, action)}.html.hbs and .text.hbs`, templateOf(decl, action));
    const chosen = layout ?? decl.layout;
    const out: Partial<Record<Part, string>> = {};
    for (const part of parts) {
      const wrap = this.layoutFor(chosen === undefined ? 'mailer' : chosen, part, chosen !== undefined);
      out[part] = this.engine.render(`${templateOf(decl, action)}.${part}`, locals, NO_REQUEST, wrap);
    }
    return out;
  }
}
