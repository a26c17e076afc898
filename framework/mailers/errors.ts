import { defineError } from '../support';

export const MailerErrors = {
  MISSING_TEMPLATE: defineError('STRYKE_E_MAILER_MISSING_TEMPLATE', '%s has no template: looked for %s. Create app/views/%s.html.hbs and/or .text.hbs, or give the action `html`/`text` or another `template` in mail().'),
  MISSING_LAYOUT: defineError('STRYKE_E_MAILER_MISSING_LAYOUT', 'Mailer layout "%s" is missing: looked for app/views/layouts/%s.html.hbs and .text.hbs. Create one, or pass `layout: false`.'),
  HEADER_INJECTION: defineError('STRYKE_E_MAILER_HEADER_INJECTION', 'Refused to send mail: the %s contains a line break (CR or LF), which would let it write extra mail headers. Strip line breaks from user input before putting it in a mail header.', 422),
  BAD_ADDRESS: defineError('STRYKE_E_MAILER_BAD_ADDRESS', 'Refused to send mail: the %s %s is not an email address ("Name <user@example.com>" or "user@example.com").', 422),
  NO_RECIPIENT: defineError('STRYKE_E_MAILER_NO_RECIPIENT', '%s: the message has no recipient; give mail() a `to` (or `cc`/`bcc`).', 422),
  NO_SENDER: defineError('STRYKE_E_MAILER_NO_SENDER', '%s: the message has no sender; set `from` in config/mail.toml, the mailer\'s `defaults`, @Mailer({ from }) or mail().'),
  NO_MESSAGE: defineError('STRYKE_E_MAILER_NO_MESSAGE', '%s did not return a message: end the action with `return this.mail({ to, subject, ... })` (an action is not async itself: one that loads records returns `this.mail(async () => ({ ... }))`).'),
  NOT_A_MAILER: defineError('STRYKE_E_MAILER_NOT_A_MAILER', '%s is not a mailer: extend ApplicationMailer and decorate the class with @Mailer().'),
  UNKNOWN_MAILER: defineError('STRYKE_E_MAILER_UNKNOWN', 'No mailer action %s in this process: load the app code (app/mailers/) in the worker, or fix the name.'),
  NOT_SERIALIZABLE: defineError('STRYKE_E_MAILER_NOT_SERIALIZABLE', '%s.deliverLater(): argument %s is %s, which does not survive the trip through the job queue (JSON). Pass record ids and plain data (strings, numbers, booleans, arrays, plain objects) and load records in the action.'),
  NOT_QUEUEABLE: defineError('STRYKE_E_MAILER_NOT_QUEUEABLE', 'This message was built by calling mail() directly, not through a mailer action, so a worker could not build it again: call an action (UserMailer.welcome(...)).deliverLater(), or deliverNow().'),
  BAD_HEADER: defineError('STRYKE_E_MAILER_BAD_HEADER', 'Header name %s cannot be set through `headers`: use the message\'s own option for From, To, Subject and the like, and letters, digits and dashes for others.'),
  BAD_ATTACHMENT: defineError('STRYKE_E_MAILER_BAD_ATTACHMENT', 'Attachment %s: give its content as a string or Buffer (stryke does not read files or URLs on a message\'s behalf; read the file yourself).'),
  BAD_CONFIG: defineError('STRYKE_E_MAILER_BAD_CONFIG', 'config/mail.toml: %s'),
  DELIVERY_FAILED: defineError('STRYKE_E_MAILER_DELIVERY_FAILED', 'Delivering %s through %s failed: %s', 503),
  NOT_BOOTED: defineError('STRYKE_E_MAILER_NOT_BOOTED', 'Mailers are not set up in this process: boot the app (createApp) before delivering %s.'),
  UNKNOWN_PREVIEW: defineError('STRYKE_E_MAILER_UNKNOWN_PREVIEW', 'No mailer preview "%s": the previews are listed at /stryke/mailers.', 404),
};
