import { addressesOf, checkHeaderValue, type Address } from './headers';
import { MailerErrors } from './errors';
import type { Attachment, MailDefaults, MessageDelivery } from './message';
import type { MailerDecl } from './registry';
import type { MailViews } from './views';

/** A message ready for a transport: every header checked, both parts rendered. */
export interface RenderedMessage {
  mailer: string;
  action: string;
  /** `UserMailer.welcome`. */
  label: string;
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  subject: string;
  html?: string;
  text?: string;
  attachments: Attachment[];
  headers: Record<string, string>;
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** Headers the message sets from its own fields: given as extra headers they would duplicate or override them. */
const RESERVED = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'sender', 'content-type', 'content-transfer-encoding', 'mime-version']);

function checkHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || RESERVED.has(name.toLowerCase())) throw MailerErrors.BAD_HEADER(JSON.stringify(name));
    out[name] = checkHeaderValue(`${name} header`, String(value));
  }
  return out;
}

function checkAttachments(list: Attachment[] | undefined): Attachment[] {
  return (list ?? []).map((a) => {
    checkHeaderValue('attachment filename', String(a.filename));
    if (a.contentType !== undefined) checkHeaderValue('attachment content type', a.contentType);
    if (a.cid !== undefined) checkHeaderValue('attachment cid', a.cid);
    if (typeof a.content !== 'string' && !Buffer.isBuffer(a.content)) throw MailerErrors.BAD_ATTACHMENT(JSON.stringify(a.filename));
    return { filename: String(a.filename), content: a.content, contentType: a.contentType, cid: a.cid };
  });
}

/** The defaults a mailer class inherits (ApplicationMailer subclasses' `static defaults`), then its @Mailer ones. */
function defaultsOf(decl: MailerDecl): MailDefaults {
  return { ...((decl.target as { defaults?: MailDefaults }).defaults ?? {}), ...decl.defaults };
}

/** Runs the action and builds its message: the action's options over the mailer's defaults over config/mail.toml. */
export async function buildMessage(delivery: MessageDelivery, decl: MailerDecl, views: MailViews, configFrom: string | undefined): Promise<RenderedMessage> {
  const options = await delivery.options();
  const defaults = defaultsOf(decl);
  const label = delivery.label;
  const fromList = addressesOf('from', options.from ?? defaults.from ?? configFrom);
  if (!fromList.length) throw MailerErrors.NO_SENDER(label);
  const to = addressesOf('to', options.to);
  const cc = addressesOf('cc', options.cc);
  const bcc = addressesOf('bcc', options.bcc);
  if (!to.length && !cc.length && !bcc.length) throw MailerErrors.NO_RECIPIENT(label);
  const subject = checkHeaderValue('subject', String(options.subject ?? ''));
  const parts = views.render(decl, delivery.action!, { ...(options.locals ?? {}) }, options.layout);
  return {
    mailer: decl.name,
    action: delivery.action!,
    label,
    from: fromList[0]!,
    to, cc, bcc,
    replyTo: addressesOf('replyTo', options.replyTo ?? defaults.replyTo),
    subject,
    html: parts.html,
    text: parts.text,
    attachments: checkAttachments(options.attachments),
    headers: checkHeaders({ ...(defaults.headers ?? {}), ...(options.headers ?? {}) }),
  };
}
