import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Connection } from './connection';

const HANDSHAKE_HEADERS = new Set(['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'upgrade', 'connection']);

/**
 * What a channel keeps of its upgrade request: headers, address, URL and a logger. (Not the request
 * itself: an idle connection should not hold a request object, its parsed URL and its child logger.) Made
 * when first read (`this.request` in a channel, a log line): what it shows lives on the connection.
 */
export class UpgradeRequest {
  private _log: FastifyBaseLogger | undefined;

  constructor(private readonly c: Connection) {}

  get headers(): FastifyRequest['headers'] {
    return this.c.upgradeHeaders;
  }
  get ip(): string {
    return this.c.ip;
  }
  get url(): string {
    return this.c.url;
  }
  get log(): FastifyBaseLogger {
    return (this._log ??= this.c.parentLog.child({ connection: this.c.id }));
  }
}

/** The upgrade's headers without the handshake's own (nothing after the upgrade reads them). */
export function keptHeaders(all: FastifyRequest['headers']): FastifyRequest['headers'] {
  const headers: FastifyRequest['headers'] = {};
  for (const name in all) if (!HANDSHAKE_HEADERS.has(name)) headers[name] = all[name];
  return headers;
}
