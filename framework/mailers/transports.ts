import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { MailSettings } from './config';
import { recordDelivery } from './deliveries';
import { MailerErrors } from './errors';
import type { RenderedMessage } from './render';

/** What a delivery resolves to. */
export interface DeliveryInfo {
  messageId: string;
  /** The SMTP envelope: who the server was asked to deliver to. */
  envelope: { from: string; to: string[] };
  /** For SMTP: the recipients the server accepted and refused. */
  accepted: string[];
  rejected: string[];
  /** For the file method: the .eml file written. */
  file?: string;
}

export interface MailTransport {
  readonly method: string;
  send(message: RenderedMessage): Promise<DeliveryInfo>;
  close(): void;
}

/** nodemailer's message object. Attachments are content only: no file paths or URLs read on its behalf. */
function mailData(m: RenderedMessage) {
  return {
    from: m.from, to: m.to, cc: m.cc, bcc: m.bcc, replyTo: m.replyTo, subject: m.subject,
    html: m.html, text: m.text, headers: m.headers,
    attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, cid: a.cid })),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function addresses(list: { address: string }[] | undefined): string[] {
  return (list ?? []).map((a) => a.address);
}

function info(raw: any): DeliveryInfo {
  return {
    messageId: String(raw.messageId ?? ''),
    envelope: { from: String(raw.envelope?.from ?? ''), to: (raw.envelope?.to ?? []).map(String) },
    accepted: (raw.accepted ?? []).map(String),
    rejected: (raw.rejected ?? []).map(String),
  };
}

/**
 * Builds the configured transport. nodemailer (about 100 ms to load) is required on the first message,
 * not at boot, so an app's first response never waits for it.
 */
export function createTransport(settings: MailSettings, root: string, env: string): MailTransport {
  const method = settings.deliveryMethod;
  let transporter: Transporter | undefined;
  const open = (): Transporter => {
    if (transporter) return transporter;
    const nodemailer = require('nodemailer') as typeof import('nodemailer');
    const s = settings.smtp;
    transporter = method === 'smtp'
      ? nodemailer.createTransport({
        host: s.host, port: s.port, secure: s.secure, requireTLS: s.requireTls,
        auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
        tls: { rejectUnauthorized: s.verifyCertificate },
        connectionTimeout: s.timeout, greetingTimeout: s.timeout, socketTimeout: s.timeout,
      })
      // file, test and log compose the whole message in memory, exactly as SMTP would send it.
      : nodemailer.createTransport({ streamTransport: true, buffer: true });
    return transporter;
  };
  const close = () => {
    transporter?.close();
    transporter = undefined;
  };
  if (method === 'smtp') {
    const where = `SMTP ${settings.smtp.host}:${settings.smtp.port}`;
    return {
      method: where,
      async send(message) {
        try {
          return info(await open().sendMail(mailData(message)));
        } catch (err) {
          throw Object.assign(MailerErrors.DELIVERY_FAILED(message.label, where, (err as Error).message), { cause: err });
        }
      },
      close,
    };
  }
  const dir = resolve(root, settings.fileDir);
  return {
    method,
    async send(message) {
      const sent = (await open().sendMail(mailData(message))) as any;
      const raw = Buffer.isBuffer(sent.message) ? sent.message.toString('utf8') : String(sent.message);
      const result = info({ ...sent, accepted: sent.envelope?.to ?? [] });
      if (method === 'test') {
        recordDelivery({
          mailer: message.mailer, action: message.action, from: message.from.address,
          to: addresses(message.to), cc: addresses(message.cc), bcc: addresses(message.bcc), replyTo: addresses(message.replyTo),
          subject: message.subject, html: message.html, text: message.text, headers: { ...message.headers },
          attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: Buffer.byteLength(a.content) })),
          messageId: result.messageId, raw,
        });
      } else if (method === 'file') {
        await mkdir(dir, { recursive: true });
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const file = join(dir, `${stamp}-${message.mailer}-${message.action}-${Math.random().toString(36).slice(2, 8)}.eml`);
        await writeFile(file, raw);
        result.file = file;
        if (env !== 'test') console.info(`[stryke mail] ${message.label} to ${result.envelope.to.join(', ')}: ${relative(root, file)}`);
      } else {
        console.info(`[stryke mail] ${message.label} to ${result.envelope.to.join(', ')}\n${raw}`);
      }
      return result;
    },
    close,
  };
}
