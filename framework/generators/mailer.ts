import { existsSync, readFileSync } from 'node:fs';
import { humanize, underscore } from '../support';
import { GeneratorErrors } from './errors';
import type { Mode } from './generate';

/** One action of a generated mailer: its method (`passwordReset`), template (`password_reset`) and subject. */
export interface MailerAction {
  method: string;
  template: string;
  subject: string;
}

/** Static members a mailer class already has (ApplicationMailer's, or Function's). */
const TAKEN = new Set(['mail', 'defaults', 'name', 'length', 'prototype', 'constructor', 'caller', 'arguments', 'apply', 'bind', 'call', 'toString']);

/** `welcome password_reset` -> the actions, checked: method names, no duplicates, nothing ApplicationMailer has. */
export function mailerActions(args: string[], mode: Mode): MailerAction[] {
  if (mode === 'generate' && !args.length) throw GeneratorErrors.BAD_ACTION('(none)', 'a mailer needs at least one action, one per message it sends: `stryke generate mailer UserMailer welcome`.');
  const seen = new Set<string>();
  return args.map((arg) => {
    if (!/^[a-z][A-Za-z0-9_]*$/.test(arg)) throw GeneratorErrors.BAD_ACTION(arg, 'an action is a method name: letters, digits and underscores, starting with a lower-case letter.');
    const method = arg.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (TAKEN.has(method)) throw GeneratorErrors.BAD_ACTION(arg, 'the name is taken by ApplicationMailer (or by every class); choose another.');
    if (seen.has(method)) throw GeneratorErrors.BAD_ACTION(arg, 'it is given twice.');
    seen.add(method);
    const template = underscore(method);
    return { method, template, subject: humanize(template) };
  });
}

/** The actions of a mailer the generator wrote (for `stryke destroy mailer Name`). */
export function staticActionsIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/^ {2}static (?!defaults\b)([a-z][A-Za-z0-9_]*)\(/gm)].map((m) => m[1]!);
}
