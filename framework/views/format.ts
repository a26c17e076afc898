import type Handlebars from 'handlebars';
import { pluralize, singularize } from '../support';
import { ViewErrors } from './errors';

type HelperOptions = Handlebars.HelperOptions;

/** Formatters are costly to build: each set of options gets one, kept for the life of the process. */
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

/** A Date from a Date, an ISO string or epoch milliseconds; undefined for anything else. */
export function toDate(v: unknown): Date | undefined {
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

const DATE_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  medium: { dateStyle: 'medium' },
  long: { dateStyle: 'long' },
  full: { dateStyle: 'full' },
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
  time: { timeStyle: 'short' },
};

/** `3 minutes ago`, `in 2 days`, `yesterday` for the distance from now. */
export function timeAgoInWords(date: Date, now = Date.now(), locale = 'en'): string {
  const secs = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return secs <= 0 ? 'just now' : 'in a few seconds';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [['minute', 60], ['hour', 3600], ['day', 86400], ['month', 2_592_000], ['year', 31_536_000]];
  let unit = units[0]!;
  for (const u of units) if (abs >= u[1] * 0.9) unit = u;
  const n = Math.round(secs / unit[1]);
  if (locale === 'en') return relativeEnglish(n, unit[0]);
  const rtf = cached(`rel:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })) as Intl.RelativeTimeFormat;
  return rtf.format(n, unit[0]);
}

/**
 * What `Intl.RelativeTimeFormat('en', { numeric: 'auto' })` says for a whole, non-zero `n` of these units, without
 * it: the first Intl formatter a process builds loads ICU's locale data (7 MiB and 10 ms, measured on Node 20),
 * which a page showing `3 minutes ago` need not pay. test/views/format-english.test.ts compares the two.
 */
const NAMED: Partial<Record<Intl.RelativeTimeFormatUnit, [string, string]>> = { day: ['yesterday', 'tomorrow'], month: ['last month', 'next month'], year: ['last year', 'next year'] };
function relativeEnglish(n: number, unit: Intl.RelativeTimeFormatUnit): string {
  const named = NAMED[unit];
  if (named && (n === -1 || n === 1)) return named[n === -1 ? 0 : 1];
  const abs = Math.abs(n);
  const words = `${groupThousands(abs)} ${unit}${abs === 1 ? '' : 's'}`;
  return n < 0 ? `${words} ago` : `in ${words}`;
}

/** A safe integer with `,` between thousands, as `Intl.NumberFormat('en')` writes it. */
function groupThousands(n: number): string {
  const digits = String(Math.abs(n));
  let out = digits.length > 3 ? '' : digits;
  if (digits.length > 3) {
    const head = digits.length % 3 || 3;
    out = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  }
  return n < 0 ? `-${out}` : out;
}

export function registerFormatHelpers(hb: typeof Handlebars): void {
  const { SafeString, escapeExpression: esc } = hb;
  const hashOf = (options: HelperOptions | undefined) => (options?.hash ?? {}) as Record<string, unknown>;

  /**
   * `{{formatDate post.createdAt}}` -> `2026-04-26 12:00` (UTC); `format="long"` (short, medium, long, full,
   * datetime, time, iso), `locale="de"`, `timeZone="Europe/Berlin"`.
   */
  hb.registerHelper('formatDate', (value: unknown, options: HelperOptions) => {
    const d = toDate(value);
    if (!d) return '';
    const { format, locale = 'en', timeZone = 'UTC' } = hashOf(options);
    if (format === 'iso') return d.toISOString();
    if (format === undefined) {
      if (timeZone === 'UTC') return d.toISOString().slice(0, 16).replace('T', ' ');
    }
    const style = DATE_STYLES[String(format ?? 'datetime')];
    if (!style) throw ViewErrors.BAD_HELPER_ARGS('formatDate', `unknown format "${format}"; use one of ${[...Object.keys(DATE_STYLES), 'iso'].join(', ')}`);
    const key = `date:${locale}:${timeZone}:${format}`;
    return cached(key, () => new Intl.DateTimeFormat(String(locale), { ...style, timeZone: String(timeZone) })).format(d);
  });

  /** `{{timeAgo post.createdAt}}` -> `<time datetime="2026-04-26T12:00:00.000Z" title="...">3 minutes ago</time>` */
  hb.registerHelper('timeAgo', (value: unknown, options: HelperOptions) => {
    const d = toDate(value);
    if (!d) return '';
    const words = timeAgoInWords(d, Date.now(), String(hashOf(options).locale ?? 'en'));
    const iso = d.toISOString();
    return new SafeString(`<time datetime="${iso}" title="${esc(iso.slice(0, 16).replace('T', ' '))} UTC">${esc(words)}</time>`);
  });

  /**
   * `{{pluralize comments.length "comment"}}` -> `1 comment`, `3 comments`; `plural="people"` to give the
   * plural; `{{pluralize "person"}}` alone -> `people`.
   */
  hb.registerHelper('pluralize', (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    if (args.length === 1) return pluralize(String(args[0]));
    const [count, word] = args;
    const n = Number(count ?? 0);
    const singular = singularize(String(word));
    const plural = String(hashOf(options).plural ?? pluralize(singular));
    return `${formatNumber(n)} ${n === 1 ? singular : plural}`;
  });

  /** `{{formatNumber 1234567.891}}` -> `1,234,567.891`; `decimals=2`, `locale="de"`. */
  hb.registerHelper('formatNumber', (value: unknown, options: HelperOptions) => {
    const { decimals, locale } = hashOf(options);
    return formatNumber(Number(value), decimals === undefined ? undefined : Number(decimals), String(locale ?? 'en'));
  });

  /** `{{formatCurrency 1234.5}}` -> `$1,234.50`; `currency="EUR"`, `locale="de"`. */
  hb.registerHelper('formatCurrency', (value: unknown, options: HelperOptions) => {
    const { currency = 'USD', locale = 'en' } = hashOf(options);
    const key = `cur:${locale}:${currency}`;
    const f = cached(key, () => new Intl.NumberFormat(String(locale), { style: 'currency', currency: String(currency) })) as Intl.NumberFormat;
    return Number.isFinite(Number(value)) ? f.format(Number(value)) : '';
  });

  /** `{{formatPercent 0.256}}` -> `26%`; `decimals=1` -> `25.6%`. */
  hb.registerHelper('formatPercent', (value: unknown, options: HelperOptions) => {
    const decimals = Number(hashOf(options).decimals ?? 0);
    const f = cached(`pct:${decimals}`, () => new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals })) as Intl.NumberFormat;
    return Number.isFinite(Number(value)) ? f.format(Number(value)) : '';
  });

  /** `{{formatBytes 123456}}` -> `121 KB`. */
  hb.registerHelper('formatBytes', (value: unknown) => {
    let n = Number(value);
    if (!Number.isFinite(n)) return '';
    const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return i === 0 ? `${n} ${n === 1 ? 'byte' : 'bytes'}` : `${formatNumber(n, n < 10 ? 1 : 0)} ${units[i]}`;
  });
}

export function formatNumber(n: number, decimals?: number, locale = 'en'): string {
  if (!Number.isFinite(n)) return '';
  // Whole numbers in English (a count of comments) without Intl: see relativeEnglish.
  if (locale === 'en' && (decimals === undefined || decimals === 0) && Number.isSafeInteger(n) && !Object.is(n, -0)) return groupThousands(n);
  const key = `num:${locale}:${decimals ?? ''}`;
  const f = cached(key, () =>
    new Intl.NumberFormat(locale, decimals === undefined ? { maximumFractionDigits: 20 } : { minimumFractionDigits: decimals, maximumFractionDigits: decimals }),
  ) as Intl.NumberFormat;
  return f.format(n);
}
