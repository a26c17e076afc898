import { ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';

/** On the responses of a server built with `stampingResponse`: the stamped headers need not be set per request. */
export const STAMPS_BASE_HEADERS = Symbol.for('stryke.stampsBaseHeaders');

type StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void;

/**
 * The response class of the app's HTTP server, for the headers every response carries (nosniff): they are
 * checked and serialized once, at boot, and written after the status line of each response. Set per
 * request with `reply.header`, one such header cost about 2,800 instructions (fastify lower-cases and
 * stores it; node validates and serializes it again), some 5% of a small request. A response that sets
 * one of these headers itself keeps its own value. Node's `_storeHeader`, which every response's head goes
 * through, is internal: where it is missing this returns undefined and the headers are set per request.
 *
 * Only real sockets use this class (`fastify.inject` builds its own responses), so code on the request
 * path tests `reply.raw[STAMPS_BASE_HEADERS]` and sets the headers itself when it is not there.
 */
export function stampingResponse(headers: [string, string][]): typeof ServerResponse | undefined {
  const store = (ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader;
  if (headers.length === 0 || typeof store !== 'function') return undefined;
  const names = headers.map(([name]) => name.toLowerCase());
  const stamp = headers.map(([name, value]) => {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return `${name}: ${value}\r\n`;
  }).join('');

  /** Whether the response sets one of the stamped headers itself (fastify's object, or node's own [name, value] map). */
  const ownsOne = (given: unknown): boolean => {
    if (given === null || typeof given !== 'object') return false;
    if (Array.isArray(given)) return given.some((h, i) => (Array.isArray(h) ? names.includes(String(h[0]).toLowerCase()) : i % 2 === 0 && names.includes(String(h).toLowerCase())));
    for (let i = 0; i < names.length; i++) if ((given as Record<string, unknown>)[names[i]!] !== undefined) return true;
    return false;
  };

  class StampingResponse extends ServerResponse {}
  Object.defineProperty(StampingResponse.prototype, STAMPS_BASE_HEADERS, { value: true });
  Object.defineProperty(StampingResponse.prototype, '_storeHeader', {
    value: function _storeHeader(this: ServerResponse, firstLine: string, given: unknown) {
      return store.call(this, ownsOne(given) ? firstLine : firstLine + stamp, given);
    },
    writable: true,
    configurable: true,
  });
  return StampingResponse as unknown as typeof ServerResponse;
}
