import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STAMPS_BASE_HEADERS } from './response';

/**
 * The secure headers every response carries, computed once from `[headers]` in config/server.toml.
 * A key set to `false` (or "") leaves that header out.
 */
export interface HeaderSettings {
  content_security_policy?: string | false;
  strict_transport_security?: string | false;
  frame_options?: string | false;
  content_type_options?: string | false;
  referrer_policy?: string | false;
  permissions_policy?: string | false;
  cross_origin_opener_policy?: string | false;
}

/**
 * The default policy: everything from this origin only, no plugins, no framing by other sites, forms
 * posting only here. Inline `<script>` is refused; inline styles are allowed (many pages use them).
 * The one inline handler stryke writes itself (`buttonTo`'s confirm) is allowed by its hash.
 */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "object-src 'none'",
  "frame-ancestors 'self'",
  "form-action 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
].join('; ');

export interface SecureHeaders {
  /** On every response: nosniff. */
  base: [string, string][];
  /** On responses to requests that came over HTTPS only: HSTS in production (RFC 6797 section 7.2). */
  transport: [string, string][];
  /** On HTML documents only (rendered pages, error pages): CSP, framing, referrer, opener policy. */
  document: [string, string][];
}

const DOCUMENT_ONLY = new Set(['content-security-policy', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy']);
const TRANSPORT_ONLY = new Set(['strict-transport-security']);

/**
 * Splits the secure headers by where they matter: the document policies (CSP, X-Frame-Options,
 * Referrer-Policy, COOP) govern pages a browser renders, so they go on HTML responses; HSTS goes on
 * responses over HTTPS (a browser ignores it over plain HTTP, and RFC 6797 forbids sending it there);
 * nosniff goes on every response.
 */
export function secureHeaderSets(settings: HeaderSettings = {}, env: string, extraScriptSources: string[] = []): SecureHeaders {
  const all = Object.entries(secureHeaders(settings, env, extraScriptSources));
  const base = all.filter(([k]) => !DOCUMENT_ONLY.has(k) && !TRANSPORT_ONLY.has(k));
  return { base, transport: all.filter(([k]) => TRANSPORT_ONLY.has(k)), document: all.filter(([k]) => DOCUMENT_ONLY.has(k)) };
}

/**
 * Whether a request reached the app over HTTPS: TLS on this socket, or `X-Forwarded-Proto: https` from
 * the proxy that terminated TLS (its last entry: the nearest proxy's). Trusting the header without a
 * proxy list is safe for what it decides here: a client that forges it over plain HTTP only receives an
 * HSTS header that browsers ignore on plain HTTP.
 */
export function overHttps(raw: IncomingMessage): boolean {
  if ((raw.socket as TLSSocket | null)?.encrypted) return true;
  const forwarded = raw.headers['x-forwarded-proto'];
  if (typeof forwarded !== 'string') return false;
  return forwarded.slice(forwarded.lastIndexOf(',') + 1).trim().toLowerCase() === 'https';
}

/**
 * Sets the headers every controller answer, error page and event stream carries. On a real socket the
 * server's response class writes the base ones itself (http/response.ts): only HSTS is left to set here.
 */
export function writeBaseHeaders(headers: SecureHeaders, req: FastifyRequest, reply: FastifyReply): void {
  if ((reply.raw as any)[STAMPS_BASE_HEADERS] !== true) {
    const base = headers.base;
    for (let i = 0; i < base.length; i++) reply.header(base[i]![0], base[i]![1]);
  }
  const transport = headers.transport;
  if (transport.length !== 0 && overHttps(req.raw)) for (const [k, v] of transport) reply.header(k, v);
}

export function secureHeaders(settings: HeaderSettings = {}, env: string, extraScriptSources: string[] = []): Record<string, string> {
  const pick = (value: string | false | undefined, fallback: string | undefined): string | undefined => {
    if (value === false || value === '') return undefined;
    return value ?? fallback;
  };
  let csp = pick(settings.content_security_policy, DEFAULT_CSP);
  if (csp && extraScriptSources.length && settings.content_security_policy === undefined) {
    csp = csp.replace("script-src 'self'", `script-src 'self' ${extraScriptSources.join(' ')}`);
  }
  const out: Record<string, string | undefined> = {
    'content-security-policy': csp,
    'strict-transport-security': pick(settings.strict_transport_security, env === 'production' ? 'max-age=63072000; includeSubDomains' : undefined),
    'x-frame-options': pick(settings.frame_options, 'SAMEORIGIN'),
    'x-content-type-options': pick(settings.content_type_options, 'nosniff'),
    'referrer-policy': pick(settings.referrer_policy, 'strict-origin-when-cross-origin'),
    'permissions-policy': pick(settings.permissions_policy, undefined),
    'cross-origin-opener-policy': pick(settings.cross_origin_opener_policy, 'same-origin'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
