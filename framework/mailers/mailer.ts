import { callSite } from '../registry';
import { underscore } from '../support';
import { MailerErrors } from './errors';
import { MessageDelivery, type MailDefaults, type MailSource } from './message';
import { mailerRegistry } from './registry';

/**
 * The base of an app's mailers (app/mailers/application_mailer.ts extends it with the app's defaults).
 * Each static method of a `@Mailer` class is an action: it returns `this.mail({...})`, and calling it
 * (`UserMailer.welcome(user)`) gives a MessageDelivery to `deliverNow()` or `deliverLater()`.
 *
 * @example
 * @Mailer()
 * export class UserMailer extends ApplicationMailer {
 *   static welcome(user: { name: string; email: string }) {
 *     return this.mail({ to: user.email, subject: `Welcome, ${user.name}`, locals: { user } });
 *   }
 * }
 * await UserMailer.welcome({ name: 'Ada', email: 'ada@example.com' }).deliverLater();
 */
export abstract class ApplicationMailer {
  /** `from`, `replyTo` and `headers` for every message of this mailer (subclasses override). */
  static defaults: MailDefaults = {};

  /**
   * The message an action sends: recipients, subject, the locals its templates
   * (`app/views/<mailer>/<action>.html.hbs` and `.text.hbs`) see, attachments. Give a function instead of
   * the options when they need records loaded: `this.mail(async () => { const user = await User.find(id); return {...}; })`.
   */
  static mail(this: Function, source: MailSource): MessageDelivery {
    return new MessageDelivery(this, undefined, [], source);
  }
}

/** Static members of ApplicationMailer that are not actions. */
const BASE_STATICS = new Set(['length', 'name', 'prototype', 'defaults', 'mail', 'caller', 'arguments']);

export interface MailerOptions extends MailDefaults {
  /** The layout of its messages (default `mailer`: `layouts/mailer.html.hbs`, `.text.hbs`); false for none. */
  layout?: string | false;
}

/**
 * Declares a mailer: its static methods become actions. Each call of an action gives a MessageDelivery
 * that remembers the action's name and arguments, so the message can be built again on a worker.
 */
export function Mailer(options: MailerOptions = {}): ClassDecorator {
  const source = callSite();
  return (target) => {
    if (!(target.prototype instanceof ApplicationMailer)) throw MailerErrors.NOT_A_MAILER(target.name);
    const actions: string[] = [];
    for (const key of Object.getOwnPropertyNames(target)) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
      if (BASE_STATICS.has(key) || typeof descriptor.value !== 'function') continue;
      const action = descriptor.value as (...args: unknown[]) => unknown;
      actions.push(key);
      Object.defineProperty(target, key, {
        ...descriptor,
        value: function deliver(this: unknown, ...args: unknown[]) {
          return new MessageDelivery(target, key, args, () => action.apply(target, args));
        },
      });
    }
    const { layout, ...defaults } = options;
    mailerRegistry.mailers.set(target, {
      target, name: target.name, dir: underscore(target.name), actions, layout, defaults, source,
    });
  };
}

/**
 * Declares a preview class (app/mailers/previews/): each of its methods returns a message to look at in
 * development, at /stryke/mailers.
 *
 * @example
 * @Preview()
 * export class UserMailerPreview {
 *   welcome() { return UserMailer.welcome({ name: 'Ada Lovelace', email: 'ada@example.com' }); }
 * }
 */
export function Preview(): ClassDecorator {
  const source = callSite();
  return (target) => {
    const methods = Object.getOwnPropertyNames(target.prototype).filter((k) => k !== 'constructor' && typeof target.prototype[k] === 'function');
    mailerRegistry.previews.set(target, { target, slug: underscore(target.name.replace(/Preview$/, '')), methods, source });
  };
}
