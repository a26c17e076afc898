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
  log: FastifyBaseLogger;
}

export const RUNTIME = Symbol.for('stryke.runtime');
export const FORMAT = Symbol.for('stryke.format');
