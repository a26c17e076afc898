import type { Job as BullJob } from 'bullmq';
import type { AddressLike, Recipients } from './headers';
import { MailerErrors } from './errors';

/** A file attached to a message (`cid` makes it inline: `<img src="cid:logo">`). */
export interface Attachment {
  filename: string;
  content: string | Buffer;
  contentType?: string;
  cid?: string;
}

/** What every message of a mailer starts from (config/mail.toml `from` is under these). */
export interface MailDefaults {
  from?: AddressLike;
  replyTo?: Recipients;
  /** Extra headers on every message (`{ 'X-Campaign': 'welcome' }`). */
  headers?: Record<string, string>;
}

/** What an action gives `this.mail(...)`. */
export interface MailOptions extends MailDefaults {
  to?: Recipients;
  cc?: Recipients;
  bcc?: Recipients;
  subject: string;
  /** What the templates see: `{{user.name}}`. */
  locals?: Record<string, unknown>;
  attachments?: Attachment[];
  /** The layout for this message (default: the mailer's, else `mailer`); false for none. */
  layout?: string | false;
}

/** A message's options, or a function (async or not) that makes them, for actions that load records. */
export type MailSource = MailOptions | (() => MailOptions | Promise<MailOptions>);

/** When a queued delivery runs: `wait` ms from now, or at `waitUntil`; `priority` 1 is the highest. */
export interface DeliverLaterOptions {
  wait?: number;
  waitUntil?: Date;
  priority?: number;
}

/** The hooks message.ts needs from the rest of the concern, set by index.ts (keeps the files acyclic). */
export interface DeliveryHooks {
  build(delivery: MessageDelivery): Promise<import('./render').RenderedMessage>;
  send(delivery: MessageDelivery): Promise<import('./transports').DeliveryInfo>;
  enqueue(delivery: MessageDelivery, options: DeliverLaterOptions): Promise<BullJob>;
}

let hooks: DeliveryHooks | undefined;
export function setDeliveryHooks(h: DeliveryHooks): void {
  hooks = h;
}

/**
 * One message of one mailer action, not yet built: `UserMailer.welcome(user)` returns it, and nothing is
 * rendered or sent until `deliverNow()`, `deliverLater()` or `message()`. The action runs again from its
 * name and arguments wherever the message is built (a worker, for deliverLater).
 */
export class MessageDelivery {
  /** @internal */
  constructor(
    readonly mailer: Function,
    /** The action's name, or undefined for a bare `mail()` draft. */
    readonly action: string | undefined,
    readonly args: readonly unknown[],
    /** @internal the action (returning a draft), or the draft's own options. */
    readonly source: (() => unknown) | MailSource,
  ) {}

  /** `UserMailer.welcome`. */
  get label(): string {
    return this.action ? `${this.mailer.name}.${this.action}` : `${this.mailer.name}.mail()`;
  }

  /** The options the action gives mail() (runs the action; its records load here). */
  async options(): Promise<MailOptions> {
    if (!this.action) throw MailerErrors.NOT_QUEUEABLE();
    const draft = (this.source as () => unknown)();
    if (!(draft instanceof MessageDelivery) || draft.action !== undefined) throw MailerErrors.NO_MESSAGE(this.label);
    const source = draft.source as MailSource;
    const options = typeof source === 'function' ? await source() : source;
    if (!options || typeof options !== 'object') throw MailerErrors.NO_MESSAGE(this.label);
    return options;
  }

  /** Builds the message (headers checked, templates rendered) without sending it. */
  message(): Promise<import('./render').RenderedMessage> {
    return need('building', this).build(this);
  }

  /** Builds and sends the message here and now; resolves once the transport has accepted it. */
  deliverNow(): Promise<import('./transports').DeliveryInfo> {
    return need('delivering', this).send(this);
  }

  /**
   * Enqueues the delivery on the `mailers` queue: a worker runs the action again with the same arguments
   * and sends the result, retrying with backoff when the transport fails (config/mail.toml `attempts`,
   * `backoff`). The arguments travel as JSON: pass ids and plain data, not records.
   */
  deliverLater(options: DeliverLaterOptions = {}): Promise<BullJob> {
    return need('enqueueing', this).enqueue(this, options);
  }
}

function need(what: string, delivery: MessageDelivery): DeliveryHooks {
  if (!hooks) throw MailerErrors.NOT_BOOTED(`${what} ${delivery.label}`);
  return hooks;
}
