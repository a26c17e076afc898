/**
 * The messages the `test` transport delivered in this process, newest last. Kept apart from the rest of
 * the concern so `stryke/testing` can read them without loading the mailers.
 */
export interface Delivered {
  /** `UserMailer` and `welcome`. */
  mailer: string;
  action: string;
  from: string;
  /** Bare addresses (`ada@example.com`). */
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html?: string;
  text?: string;
  attachments: { filename: string; contentType?: string; size: number }[];
  headers: Record<string, string>;
  messageId: string;
  /** The whole message as sent (RFC 5322, MIME-encoded). */
  raw: string;
}

const KEY = Symbol.for('stryke.mailers.deliveries');
const store: Delivered[] = ((globalThis as any)[KEY] ??= []);

export function recordDelivery(d: Delivered): void {
  store.push(d);
}

/** Every message the test transport delivered since the last `clearDeliveries()`, oldest first. */
export function deliveries(): readonly Delivered[] {
  return [...store];
}

/** Forgets the delivered messages (call it in `beforeEach`). */
export function clearDeliveries(): void {
  store.length = 0;
}
