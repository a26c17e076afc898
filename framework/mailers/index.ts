/**
 * stryke/mailers: `@Mailer` classes whose actions build messages from Handlebars templates
 * (app/views/<mailer>/<action>.html.hbs and .text.hbs), delivered now or through the jobs layer, by SMTP,
 * to .eml files or to memory for tests; previews at /stryke/mailers in development. See docs/mailers.md.
 */
import { setDeliveryHooks } from './message';
import { build, enqueue, send } from './runtime';

setDeliveryHooks({ build, send, enqueue });

export { ApplicationMailer, Mailer, Preview, type MailerOptions } from './mailer';
export { MessageDelivery, type MailOptions, type MailDefaults, type MailSource, type Attachment, type DeliverLaterOptions } from './message';
export type { RenderedMessage } from './render';
export type { DeliveryInfo } from './transports';
export type { AddressLike, Recipients, Address } from './headers';
export { readMailSettings, type MailSettings, type DeliveryMethod } from './config';
export { type MailRuntime, type BootMailersOptions } from './runtime';
export { MailDeliveryJob } from './delivery-job';
export { deliveries, clearDeliveries, type Delivered } from './deliveries';
export { MailerErrors } from './errors';
