import { MailerErrors } from './errors';

/** `"Ada <ada@example.com>"`, `"ada@example.com"` or `{ name: 'Ada', address: 'ada@example.com' }`. */
export type AddressLike = string | { name?: string; address: string };
export type Recipients = AddressLike | AddressLike[];

export interface Address {
  name: string;
  address: string;
}

const LINE_BREAK = /[\r\n]/;
/** One mailbox: a local part and a domain, nothing that could end the header or start another address. */
const MAILBOX = /^[^\s@<>(),;:"\\[\]\x00-\x1f\x7f]+@[^\s@<>(),;:"\\[\]\x00-\x1f\x7f]+$/;

/**
 * Refuses a header value holding CR or LF. nodemailer folds and encodes header values itself; a line break
 * in user input (a subject, a display name) is refused outright rather than cleaned up, so a form field can
 * never add a `Bcc:` line.
 */
export function checkHeaderValue(what: string, value: string): string {
  if (LINE_BREAK.test(value)) throw MailerErrors.HEADER_INJECTION(what);
  return value;
}

/** Parses and checks the addresses of one field (`to`, `cc`...): line breaks and non-addresses are refused. */
export function addressesOf(field: string, value: Recipients | undefined): Address[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      checkHeaderValue(`\`${field}\` address`, item);
      // Loaded on first use: nodemailer's parser, without nodemailer itself.
      const addressparser = (require('nodemailer/lib/addressparser') as typeof import('nodemailer/lib/addressparser')).default;
      const parsed = addressparser(item, { flatten: true }) as { name: string; address?: string }[];
      if (!parsed.length) throw MailerErrors.BAD_ADDRESS(`\`${field}\``, JSON.stringify(item));
      for (const p of parsed) out.push(mailbox(field, p.name ?? '', p.address ?? ''));
    } else if (item && typeof item === 'object' && typeof item.address === 'string') {
      checkHeaderValue(`\`${field}\` name`, String(item.name ?? ''));
      checkHeaderValue(`\`${field}\` address`, item.address);
      out.push(mailbox(field, String(item.name ?? ''), item.address.trim()));
    } else {
      throw MailerErrors.BAD_ADDRESS(`\`${field}\``, JSON.stringify(item));
    }
  }
  return out;
}

function mailbox(field: string, name: string, address: string): Address {
  if (!MAILBOX.test(address)) throw MailerErrors.BAD_ADDRESS(`\`${field}\``, JSON.stringify(address || name));
  return { name, address };
}

/** `Ada <ada@example.com>` or `ada@example.com`, for logs and the preview pages. */
export function formatAddress(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}
