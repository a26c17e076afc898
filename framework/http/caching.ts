import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BodySender } from './compress';

/**
 * A weak ETag for a response body (`W/"<length>-<hash>"`): FNV-1a (32 bits) over the body's UTF-16 code units,
 * beside its length, as @fastify/etag offers for weak tags. A weak tag says "semantically the same", and a
 * stale 304 would need a changed body of the same length whose hash collides with the client's copy. It runs
 * in JavaScript, a few instructions a character, where SHA-1 through `crypto.hash` measured about 8,000
 * instructions a request on small answers (the call into C++ and the encoding).
 * A Buffer body, and a string of LONG_BODY characters or more (a rendered page), is hashed by SHA-1.
 */
export function bodyEtag(body: string | Buffer): string {
  // From LONG_BODY characters on, SHA-1 in C++ costs less than the loop: on the TechEmpower fortunes page
  // (1,218 characters, two-byte, a cons string from the template) crypto.hash took about half the loop's CPU
  // time in process (docs/performance.md, session 9).
  if (typeof body !== 'string' || body.length >= LONG_BODY) return `W/"${hash('sha1', body, 'base64url')}"`;
  let h = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) h = Math.imul(h ^ body.charCodeAt(i), 0x01000193);
  return `W/"${body.length.toString(36)}-${(h >>> 0).toString(36)}"`;
}

/**
 * The form a rendered page is sent in: a page of LONG_BODY characters or more as its UTF-8 bytes, converted
 * once here, so its SHA-1 ETag, its Content-Length and the socket write all use those bytes (a string body
 * was converted three times: fastify's Content-Length, the hash's input and the write, about 25,000
 * instructions a request on the TechEmpower fortunes page, docs/performance.md). Its ETag is the same as
 * the string's (SHA-1 over the same UTF-8). A shorter page stays a string, tagged by the short-body hash.
 */
export function pageBody(html: string): string | Buffer {
  return html.length >= LONG_BODY ? Buffer.from(html) : html;
}

/** Whether the request's If-None-Match names `etag` (weak comparison, as RFC 9110 wants for GET). */
export function etagMatches(req: FastifyRequest, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/**
 * Sends `body` (through `send`, which compresses it when large) with a weak ETag of the uncompressed
 * body, or an empty 304 when the client already has it. Only for GET and HEAD 200 responses; anything
 * else is sent without an ETag. `tagged` gives what the tag is computed over when that is not the body itself
 * (a page without its per-request CSRF tokens).
 */
export function sendWithEtag(req: FastifyRequest, reply: FastifyReply, status: number, body: string | Buffer, send: BodySender, tagged: () => string | Buffer = () => body): FastifyReply {
  reply.code(status);
  if (status !== 200 || (req.method !== 'GET' && req.method !== 'HEAD') || reply.hasHeader('etag')) return send(req, reply, body);
  const etag = bodyEtag(tagged());
  reply.header('etag', etag);
  if (etagMatches(req, etag)) return reply.code(304).send();
  return send(req, reply, body);
}

export interface FreshnessOptions {
  /** Anything that identifies this version: a string, a record (id and updatedAt), or an array of them. */
  etag?: unknown;
  lastModified?: Date;
  /** `Cache-Control: public` (shared caches may keep it). Default: private. */
  public?: boolean;
}

function versionOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(versionOf).join('|');
  if (value && typeof value === 'object') {
    const v = value as { id?: unknown; updatedAt?: unknown };
    if ('id' in v) return `${value.constructor?.name}:${String(v.id)}:${v.updatedAt instanceof Date ? v.updatedAt.getTime() : String(v.updatedAt ?? '')}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** An ETag for a version of something (records by class, id and updatedAt). */
export function versionEtag(value: unknown): string {
  return `W/"${hash('sha1', versionOf(value), 'base64url')}"`;
}

/** Bodies from this length on are tagged by SHA-1 (see bodyEtag). */
const LONG_BODY = 512;

/** Whether the client's cached copy is current, by ETag or Last-Modified. */
export function isFresh(req: FastifyRequest, etag: string | undefined, lastModified: Date | undefined): boolean {
  if (etag && req.headers['if-none-match']) return etagMatches(req, etag);
  const since = req.headers['if-modified-since'];
  if (lastModified && since) {
    const t = Date.parse(since);
    return !Number.isNaN(t) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(t / 1000);
  }
  return false;
}
