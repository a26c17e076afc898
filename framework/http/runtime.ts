import type { FastifyBaseLogger } from 'fastify';
import type { PathHelpers } from '../routing/helpers';
import type { SessionCodec } from '../security/session';
import type { ViewEngine } from '../views/engine';

/** What every request of one app shares, built once at boot and handed to each controller instance. */
export interface AppRuntime {
  env: string;
  views: ViewEngine;
  paths: PathHelpers;
  sessions: SessionCodec;
  sessionCookie: { name: string; secure: boolean };
  /** Secure headers set on every controller response (CSP, HSTS in production, frame, nosniff, referrer). */
  headers: Record<string, string>;
  /** What `params.permit` does with unpermitted keys. */
  unpermitted: 'ignore' | 'log' | 'raise';
  log: FastifyBaseLogger;
}

export const RUNTIME = Symbol.for('stryke.runtime');
export const FORMAT = Symbol.for('stryke.format');
/** Where a `stream: true` route keeps the Content-Type it set aside (so fastify does not parse the body). */
export const BODY_CONTENT_TYPE = Symbol.for('stryke.bodyContentType');
