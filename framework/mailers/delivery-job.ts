import { StrykeError } from '../support';
import { ApplicationJob, Job } from '../jobs';
import { MailerErrors } from './errors';
import type { MessageDelivery } from './message';
import { mailerNamed } from './registry';

/** Failures that trying again cannot fix: the message itself is wrong, so the job fails at once. */
const PERMANENT = new Set([
  'STRYKE_E_MAILER_HEADER_INJECTION', 'STRYKE_E_MAILER_BAD_ADDRESS', 'STRYKE_E_MAILER_NO_RECIPIENT', 'STRYKE_E_MAILER_NO_SENDER',
  'STRYKE_E_MAILER_NO_MESSAGE', 'STRYKE_E_MAILER_MISSING_TEMPLATE', 'STRYKE_E_MAILER_MISSING_LAYOUT', 'STRYKE_E_MAILER_BAD_HEADER',
  'STRYKE_E_MAILER_BAD_ATTACHMENT', 'STRYKE_E_MAILER_UNKNOWN', 'STRYKE_E_VIEW_RENDER', 'STRYKE_E_ORM_RECORD_NOT_FOUND',
]);

/**
 * The framework's delivery job, on the `mailers` queue: `deliverLater` enqueues it with the mailer's name,
 * the action and its arguments; a worker runs the action again and sends the message. Transport failures
 * (an SMTP outage) throw, so BullMQ retries with exponential backoff (config/mail.toml `attempts`,
 * `backoff`); a message that can never be sent fails at once.
 */
@Job({ queue: 'mailers', attempts: 5, backoff: { type: 'exponential', delay: 2000 } })
export class MailDeliveryJob extends ApplicationJob {
  async perform(mailer: string, action: string, args: unknown[]): Promise<{ messageId: string; to: string[] }> {
    const { UnrecoverableError } = await import('bullmq');
    const decl = mailerNamed(mailer);
    if (!decl || !decl.actions.includes(action)) throw new UnrecoverableError(MailerErrors.UNKNOWN_MAILER(`${mailer}.${action}`).message);
    try {
      const delivery = (decl.target as unknown as Record<string, (...a: unknown[]) => MessageDelivery>)[action]!(...(Array.isArray(args) ? args : []));
      const info = await delivery.deliverNow();
      return { messageId: info.messageId, to: info.envelope.to };
    } catch (err) {
      if (err instanceof StrykeError && PERMANENT.has(err.code)) throw new UnrecoverableError(`${err.message} (${err.code})`);
      throw err;
    }
  }
}
