import type { FastifyRequest } from 'fastify';
import { HttpErrors } from './errors';

/** Control characters (CR and LF among them) have no place in a Location header: they would split it. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks a redirect's location, as Rails 7 does: a path or URL of this app's own host is allowed, and so is
 * any host when the action says `allowOtherHost`; anything else (`https://evil.com`, `//evil.com`,
 * `/\evil.com`, `javascript:...`, `http://host@evil.com/`, leading spaces or tabs...) is
 * STRYKE_E_HTTP_UNSAFE_REDIRECT. The location is resolved against the request's own origin with the URL
 * parser browsers use (WHATWG), so whatever trick a browser would follow to another host, this sees too.
 */
export function checkRedirect(location: unknown, req: FastifyRequest, allowOtherHost: boolean): string {
  const shown = JSON.stringify(typeof location === 'string' ? location.slice(0, 200) : location);
  if (typeof location !== 'string' || location === '') throw HttpErrors.UNSAFE_REDIRECT(shown, 'a location must be a non-empty string');
  if (CONTROL.test(location)) throw HttpErrors.UNSAFE_REDIRECT(shown, 'it contains a control character (a CR or LF would split the Location header)');
  if (allowOtherHost) return location;
  let base: URL;
  try {
    base = new URL(`${req.protocol === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}/`);
  } catch {
    base = new URL('http://localhost/');
  }
  let target: URL;
  try {
    target = new URL(location, base);
  } catch {
    throw HttpErrors.UNSAFE_REDIRECT(shown, 'it is not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw HttpErrors.UNSAFE_REDIRECT(shown, `its scheme is ${target.protocol}`);
  if (target.host !== base.host) throw HttpErrors.UNSAFE_REDIRECT(shown, `it leads to another host (${target.host})`);
  if (target.username || target.password) throw HttpErrors.UNSAFE_REDIRECT(shown, 'it carries credentials');
  return location;
}
