import type { ConfigTree } from '../config';
import { MailerErrors } from './errors';

export type DeliveryMethod = 'smtp' | 'file' | 'test' | 'log';

/** config/mail.toml, with defaults. */
export interface MailSettings {
  /** `smtp` (production default), `file` (development default: .eml files), `test` (test default: in memory), `log`. */
  deliveryMethod: DeliveryMethod;
  /** The origin of every link in a message (`https://example.com`): path helpers give absolute URLs in mail. */
  defaultUrl: string;
  /** The sender when a mailer names none. */
  from?: string;
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    user?: string;
    password?: string;
    /** Refuse to send unless the server upgrades to TLS (STARTTLS); on by default when not `secure`. */
    requireTls: boolean;
    /** Verify the server's certificate (default true). */
    verifyCertificate: boolean;
    /** Milliseconds to wait for the connection, the greeting and each command. */
    timeout: number;
  };
  /** Where the `file` method writes messages, relative to the app root. */
  fileDir: string;
  /** Tries of a `deliverLater` delivery before it fails for good, and the first wait (doubling each time). */
  attempts: number;
  backoff: number;
  /** Mount the previews at /stryke/mailers (development only; never in production). */
  previews: boolean;
}

const METHODS: DeliveryMethod[] = ['smtp', 'file', 'test', 'log'];

function wholeNumber(value: unknown, key: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw MailerErrors.BAD_CONFIG(`${key} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export function readMailSettings(config: ConfigTree): MailSettings {
  const env = String(config.env ?? 'development');
  const mail = (config.mail ?? {}) as Record<string, any>;
  const smtp = (mail.smtp ?? {}) as Record<string, any>;
  const fallback: DeliveryMethod = env === 'test' ? 'test' : env === 'production' ? 'smtp' : 'file';
  const method = String(mail.delivery_method ?? fallback) as DeliveryMethod;
  if (!METHODS.includes(method)) throw MailerErrors.BAD_CONFIG(`delivery_method = "${method}": use "smtp", "file", "test" or "log"`);
  const server = (config.server ?? {}) as Record<string, any>;
  const defaultUrl = String(mail.default_url ?? server.url ?? `http://localhost:${server.port ?? 3000}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(defaultUrl)) throw MailerErrors.BAD_CONFIG(`default_url = "${defaultUrl}": give the app's public origin, such as "https://example.com"`);
  if (env === 'production' && mail.default_url === undefined && server.url === undefined) {
    throw MailerErrors.BAD_CONFIG('default_url is not set: links in mail must be absolute, so give the public origin (default_url = "https://example.com")');
  }
  const secure = smtp.secure === true;
  const port = wholeNumber(smtp.port ?? (secure ? 465 : 587), 'smtp.port', 1);
  if (method === 'smtp' && !smtp.host) throw MailerErrors.BAD_CONFIG('delivery_method is "smtp" but [smtp] has no host: set host (and port, user, password)');
  return {
    deliveryMethod: method,
    defaultUrl,
    from: mail.from === undefined ? undefined : String(mail.from),
    smtp: {
      host: String(smtp.host ?? 'localhost'),
      port,
      secure,
      user: smtp.user ? String(smtp.user) : undefined,
      password: smtp.password ? String(smtp.password) : undefined,
      requireTls: smtp.require_tls === undefined ? !secure : smtp.require_tls === true,
      verifyCertificate: smtp.verify_certificate !== false,
      timeout: wholeNumber(smtp.timeout ?? 10_000, 'smtp.timeout', 1),
    },
    fileDir: String((mail.file as Record<string, unknown> | undefined)?.dir ?? 'tmp/mails'),
    attempts: wholeNumber(mail.attempts ?? 5, 'attempts', 1),
    backoff: wholeNumber(mail.backoff ?? 2000, 'backoff', 0),
    previews: env !== 'production' && (mail.previews === undefined ? env === 'development' : mail.previews === true),
  };
}
