import { readFileSync } from 'node:fs';
import http from 'node:http';
import { isAbsolute, join } from 'node:path';
import type { Http2Session } from 'node:http2';
import { HttpErrors } from './errors';

/** TLS from config/server.toml: `tls_cert`, `tls_key` (PEM files, relative to the app), `http2`, `https_redirect_port`. */
export interface TlsSettings {
  key: Buffer;
  cert: Buffer;
  http2: boolean;
  /** A second, plain-HTTP port that redirects every request to HTTPS. */
  redirectPort?: number;
}

/** The open HTTP/2 sessions of a server, for a graceful close (server/drain.ts reads them by this key). */
export const HTTP2_SESSIONS = Symbol.for('stryke.http2Sessions');

function readPem(root: string, key: string, file: unknown): Buffer {
  if (typeof file !== 'string' || !file) throw HttpErrors.TLS_CONFIG(`${key} must be the path of a PEM file`);
  const path = isAbsolute(file) ? file : join(root, file);
  try {
    return readFileSync(path);
  } catch (err) {
    throw HttpErrors.TLS_CONFIG(`${key} = "${file}" cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The TLS settings of config/server.toml, or undefined when it names no certificate (plain HTTP). */
export function tlsSettings(root: string, server: Record<string, any>): TlsSettings | undefined {
  const wanted = server.tls_cert !== undefined || server.tls_key !== undefined;
  if (!wanted) {
    if (server.http2 === true) throw HttpErrors.TLS_CONFIG('http2 = true needs tls_cert and tls_key (browsers speak HTTP/2 over TLS only)');
    return undefined;
  }
  const redirect = server.https_redirect_port;
  if (redirect !== undefined && !(Number.isInteger(redirect) && redirect >= 0 && redirect < 65536)) {
    throw HttpErrors.TLS_CONFIG(`https_redirect_port must be a port number, not ${JSON.stringify(redirect)}`);
  }
  return { cert: readPem(root, 'tls_cert', server.tls_cert), key: readPem(root, 'tls_key', server.tls_key), http2: server.http2 === true, redirectPort: redirect };
}

/**
 * fastify's server options for TLS: HTTP/2 with ALPN and HTTP/1.1 on the same port (`allowHTTP1`), or
 * HTTPS/1.1; `http` are the options of the HTTP/1 server (its response class, its timeouts' checking).
 */
export function fastifyTlsOptions(tls: TlsSettings, httpOptions: Record<string, unknown>): Record<string, unknown> {
  if (!tls.http2) return { https: { key: tls.key, cert: tls.cert, ...httpOptions } };
  const https: Record<string, unknown> = { key: tls.key, cert: tls.cert, allowHTTP1: true };
  if (httpOptions.ServerResponse) https.Http1ServerResponse = httpOptions.ServerResponse;
  return { http2: true, https };
}

/** Remembers the server's HTTP/2 sessions, so a drain can close them gracefully (GOAWAY after their streams). */
export function trackHttp2Sessions(server: { on(event: 'session', fn: (s: Http2Session) => void): unknown }): void {
  const sessions = new Set<Http2Session>();
  (server as any)[HTTP2_SESSIONS] = sessions;
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
}

/**
 * The plain-HTTP port that sends every request to HTTPS: 308 to the same host (the one the client asked
 * for, without its port) and path on `httpsPort`. Answers nothing else.
 */
export async function listenRedirect(port: number, host: string, httpsPort: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
    // Only a plain host name or address: a Host header is data, never part of a URL we build otherwise.
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(hostname)) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Bad Request: no usable Host header\n');
      return;
    }
    const path = (req.url ?? '/').startsWith('/') ? req.url! : '/';
    const location = `https://${hostname}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
    res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8' }).end(`Moved to ${location}\n`);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
  return server;
}
