import { AssertionError } from 'node:assert';
import { clearDeliveries, deliveries, type Delivered } from '../mailers';

export { deliveries, clearDeliveries, type Delivered };

/** What to look for in a delivered message: each given key must match (a string exactly, a RegExp by test). */
export interface DeliveryMatch {
  /** One of the recipients (`to`), as a bare address. */
  to?: string;
  cc?: string;
  bcc?: string;
  from?: string;
  subject?: string | RegExp;
  /** `UserMailer` or `UserMailer.welcome`. */
  mailer?: string;
  /** Text found in the text part, or in the HTML part when there is no text part. */
  text?: string | RegExp;
  html?: string | RegExp;
  /** The name of an attachment. */
  attachment?: string;
}

function like(value: string | undefined, want: string | RegExp, contains = false): boolean {
  if (value === undefined) return false;
  if (want instanceof RegExp) return want.test(value);
  return contains ? value.includes(want) : value === want;
}

function matches(d: Delivered, m: DeliveryMatch): boolean {
  return (m.to === undefined || d.to.includes(m.to))
    && (m.cc === undefined || d.cc.includes(m.cc))
    && (m.bcc === undefined || d.bcc.includes(m.bcc))
    && (m.from === undefined || d.from === m.from)
    && (m.subject === undefined || like(d.subject, m.subject))
    && (m.mailer === undefined || m.mailer === d.mailer || m.mailer === `${d.mailer}.${d.action}`)
    && (m.text === undefined || like(d.text ?? d.html, m.text, true))
    && (m.html === undefined || like(d.html, m.html, true))
    && (m.attachment === undefined || d.attachments.some((a) => a.filename === m.attachment));
}

const summary = (d: Delivered) => `  ${d.mailer}.${d.action} to ${d.to.join(', ') || '(none)'}: ${JSON.stringify(d.subject)}`;

/**
 * Asserts that the `test` delivery method delivered a message matching `match`, and returns it.
 * @example
 * await UserMailer.welcome({ name: 'Ada', email: 'ada@example.com' }).deliverNow();
 * const mail = assertDelivered({ to: 'ada@example.com', subject: /Welcome/ });
 * assert.match(mail.text!, /Hello Ada/);
 */
export function assertDelivered(match: DeliveryMatch = {}): Delivered {
  const all = deliveries();
  const found = all.find((d) => matches(d, match));
  if (found) return found;
  const seen = all.length ? `Delivered:\n${all.map(summary).join('\n')}` : 'Nothing was delivered (is config/mail.toml delivery_method "test" in the test environment?).';
  throw new AssertionError({ message: `No delivered message matches ${JSON.stringify(match, (_k, v) => (v instanceof RegExp ? String(v) : v))}. ${seen}` });
}

/** Asserts that no delivered message matches `match` (nothing at all was delivered, without one). */
export function assertNotDelivered(match: DeliveryMatch = {}): void {
  const found = deliveries().filter((d) => matches(d, match));
  if (found.length) throw new AssertionError({ message: `Expected no message matching ${JSON.stringify(match)}, but:\n${found.map(summary).join('\n')}` });
}

/** A delivery `deliverLater` put on the `mailers` queue, not yet run. */
export interface EnqueuedDelivery {
  mailer: string;
  action: string;
  args: unknown[];
  jobId: string;
}

async function enqueuedJobs() {
  const jobs = require('../jobs') as typeof import('../jobs');
  if (!jobs.jobsConfigured()) return [];
  const list = await jobs.queueFor('mailers').getJobs(['waiting', 'prioritized', 'delayed']);
  return list.filter((j) => j.name === 'MailDeliveryJob').sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id));
}

/** The deliveries waiting on the `mailers` queue (what `deliverLater` enqueued), oldest first. */
export async function enqueuedDeliveries(): Promise<EnqueuedDelivery[]> {
  return (await enqueuedJobs()).map((j) => {
    const [mailer, action, args] = (j.data?.args ?? []) as [string, string, unknown[]];
    return { mailer, action, args, jobId: String(j.id) };
  });
}

/**
 * Runs the deliveries `deliverLater` enqueued, here and now, as a worker would (the action runs again from
 * its arguments), and takes them off the queue; resolves to how many ran. Then `assertDelivered` sees them.
 * @example
 * await client.post('/password_resets', { form: { email: 'ada@example.com' } });
 * await deliverEnqueuedMail();
 * assertDelivered({ to: 'ada@example.com', subject: /Reset/ });
 */
export async function deliverEnqueuedMail(): Promise<number> {
  const { performJob } = require('../jobs') as typeof import('../jobs');
  const jobs = await enqueuedJobs();
  for (const job of jobs) {
    await job.remove();
    await performJob(job, 'mailers');
  }
  return jobs.length;
}
