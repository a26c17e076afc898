import { ServerResponse, validateHeaderName, validateHeaderValue, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';

/** On the responses of a server built with `stampingResponse`: the stamped headers need not be set per request. */
export const STAMPS_BASE_HEADERS = Symbol.for('stryke.stampsBaseHeaders');

type ResponseClass = new (req: IncomingMessage) => ServerResponse;
type Given = OutgoingHttpHeaders | (string | number | string[])[] | undefined;

/**
 * The response class of the app's HTTP server, for the headers every response carries (nosniff): they are
 * checked once, at boot, and each response's head gets them without a `reply.header` call. Set per request
 * with `reply.header`, one such header cost about 2,800 instructions (fastify lower-cases and stores it; node
 * validates and serializes it again), some 5% of a small request. Here they are added to the headers
 * `writeHead` (node's public method: fastify calls it with its headers object, node itself before a body
 * written without one) is given, about 1,700 instructions a response (node validates and serializes them, as
 * it does every header). Serialized once at boot and written by node's internal `_storeHeader` they cost 130,
 * but that is a private member (test/architecture/private-access.test.ts refuses it; docs/performance.md has
 * the measurements). A response that sets one of these headers itself keeps its own value.
 *
 * Only real sockets use this class (`fastify.inject` builds its own responses), so code on the request
 * path tests `reply.raw[STAMPS_BASE_HEADERS]` and sets the headers itself when it is not there.
 */
export function stampingResponse(headers: [string, string][]): typeof ServerResponse | undefined {
  if (headers.length === 0) return undefined;
  for (const [name, value] of headers) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  const made = writeHeadClass(headers);
  Object.defineProperty(made.prototype, STAMPS_BASE_HEADERS, { value: true });
  return made as unknown as typeof ServerResponse;
}

/** Whether a `[name, value]` list (node's flat or paired form) holds one of `names` (lower-cased). */
function listHolds(given: unknown[], names: string[]): boolean {
  return given.some((h, i) => (Array.isArray(h) ? names.includes(String(h[0]).toLowerCase()) : i % 2 === 0 && names.includes(String(h).toLowerCase())));
}

function writeHeadClass(headers: [string, string][]): ResponseClass {
  const names = headers.map(([name]) => name.toLowerCase());
  const values = headers.map(([, value]) => value);
  const count = names.length;

  class WriteHeadStampingResponse extends ServerResponse {
    override writeHead(statusCode: number, reason?: string | Given, obj?: Given): this {
      const given = typeof reason === 'string' ? obj : (obj ?? reason);
      if (given !== null && typeof given === 'object' && !Array.isArray(given) && Object.isExtensible(given)) {
        // fastify's headers object (its names lower-cased), made for this response: the header joins it.
        const record = given as OutgoingHttpHeaders;
        for (let i = 0; i < count; i++) {
          const name = names[i]!;
          if (record[name] === undefined && !this.hasHeader(name)) record[name] = values[i];
        }
      } else {
        for (let i = 0; i < count; i++) {
          const name = names[i]!;
          if (!this.hasHeader(name) && !(Array.isArray(given) && listHolds(given, [name]))) this.setHeader(name, values[i]!);
        }
      }
      return super.writeHead(statusCode, reason as string, obj as OutgoingHttpHeaders);
    }
  }
  return WriteHeadStampingResponse;
}
