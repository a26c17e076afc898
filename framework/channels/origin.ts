import type { FastifyRequest } from 'fastify';

/**
 * Whether a WebSocket upgrade's Origin may connect: the app's own origin (the Host the request came to,
 * or config/server.toml's url) or one of config/channels.toml's allowed_origins. A browser always sends
 * Origin on a WebSocket; a request without one is not a browser's, so cross-site hijacking (a page on
 * another site riding the user's cookies) cannot happen through it.
 */
export function originAllowed(req: FastifyRequest, allowed: string[], appUrl: string | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const normalized = parsed.origin.toLowerCase();
  if (allowed.includes(normalized)) return true;
  if (appUrl) {
    try {
      if (new URL(appUrl).origin.toLowerCase() === normalized) return true;
    } catch {
      /* not a URL: ignored */
    }
  }
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && parsed.host.toLowerCase() === host && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
}
