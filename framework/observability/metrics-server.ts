import { timingSafeEqual, createHash } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { MetricsSettings } from './config';

/** Whether the request's `Authorization: Bearer` token is the configured one (compared in constant time). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * The metrics listener: its own port (never the app's), answering only `GET <path>` with `text()`, and
 * 401 without the token when one is configured.
 */
export function serveMetrics(settings: MetricsSettings, text: () => Promise<string>, contentType: string): Promise<Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== settings.path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    if (settings.token !== undefined && !tokenMatches(req.headers.authorization, settings.token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('A metrics token is required: Authorization: Bearer <token>\n');
      return;
    }
    text().then(
      (body) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      (err: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`Metrics unavailable: ${err.message}\n`),
    );
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolveListen(server);
    });
  });
}
