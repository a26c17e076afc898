import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { PathHelpers } from '../routing';
import type { BodySender } from './compress';
import type { SseLimit } from './sse';
import type { SecureHeaders } from './headers';
import type { SessionCodec } from '../security';
import type { AuthRuntime } from '../auth/internal';
import type { ViewEngine } from '../views';

/** What every request of one app shares, built once at boot and handed to each controller instance. */
export interface AppRuntime {
  env: string;
  views: ViewEngine;
  paths: PathHelpers;
  sessions: SessionCodec;
  sessionCookie: { name: string; secure: boolean };
  /** Secure headers: `base` on every controller response, `document` also on HTML pages. */
  headers: SecureHeaders;
  /** What `params.permit` does with unpermitted keys. */
  unpermitted: 'ignore' | 'log' | 'raise';
  log: FastifyBaseLogger;
  /**
   * Above `info`, where fastify has no logger: gives a request its `request.log` (a lazy child of `log` with its
   * `reqId`), called by the route's handler before anything else (framework/http/request-logger.ts).
   */
  attachLog?: (req: FastifyRequest, reply: FastifyReply) => void;
  /** Sends a controller's body: compressed above the threshold, HTML pages transformed in development. */
  send: BodySender;
  /** The app's `@Authenticator()`, when it has one (see framework/auth). */
  auth?: AuthRuntime;
  /** Open event streams in this process, and the most allowed (config/server.toml sse_max_streams). */
  sse?: SseLimit;
}

export const RUNTIME = Symbol.for('stryke.runtime');
export const FORMAT = Symbol.for('stryke.format');
/** Where a `stream: true` route keeps the Content-Type it set aside (so fastify does not parse the body). */
export const BODY_CONTENT_TYPE = Symbol.for('stryke.bodyContentType');
/** On a parsed query string that broke a limit: the error, answered when the action reads `params`. */
export const QUERY_ERROR = Symbol.for('stryke.queryError');
