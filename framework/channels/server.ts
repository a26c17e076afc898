import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { Session, type SessionCodec } from '../security';
import type { ChannelSettings } from './config';
import { Connection, type ChannelRoute, type ConnectionContext, type UpgradeRequest } from './connection';
import { ChannelErrors } from './errors';
import { originAllowed } from './origin';
import { noteUpgradeResponse } from './socket-events';

export interface ChannelServerOptions {
  settings: ChannelSettings;
  env: string;
  sessions: SessionCodec;
  sessionCookie: string;
  /** config/server.toml's url: its origin counts as the app's own. */
  appUrl?: string;
  /** This app's way from a session to its signed-in user (its @Authenticator), when `setChannelUserResolver` set none. */
  currentUser?: CurrentUserResolver;
}

/** The app's optional way from a session to its signed-in user (`this.currentUser` in channels). */
export type CurrentUserResolver = (session: Session, request: UpgradeRequest) => unknown;
const RESOLVER = Symbol.for('stryke.channels.currentUser');

/**
 * Sets how channels find the signed-in user, for every app in the process: called once per connection, before
 * onConnect, with the connection's cookie session. Without it each app asks its own @Authenticator (given to
 * `prepareChannels` at boot); pass undefined to remove it.
 * @example setChannelUserResolver(async (session) => session.get('userId') ? User.find(session.get('userId')) : undefined);
 */
export function setChannelUserResolver(resolve: CurrentUserResolver | undefined): void {
  (globalThis as any)[RESOLVER] = resolve;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const prefix = `${name}=`;
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return p.slice(prefix.length);
  }
  return undefined;
}

/**
 * The WebSocket side of an app: @fastify/websocket (on ws) for the protocol, one route per channel, and
 * what all connections share: the Origin check at upgrade, the ping sweep, and shutdown (1001).
 */
export class ChannelServer {
  private readonly connections = new Set<Connection>();
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly ctx: ConnectionContext;

  constructor(private readonly options: ChannelServerOptions) {
    const { sessions, sessionCookie } = options;
    this.ctx = {
      settings: options.settings,
      production: options.env === 'production',
      session: (cookieHeader) => new Session(sessions.decode(readCookie(cookieHeader, sessionCookie))),
      currentUser: (c) => {
        const resolve = ((globalThis as any)[RESOLVER] as CurrentUserResolver | undefined) ?? this.options.currentUser;
        return resolve ? resolve(c.session, c.request) : undefined;
      },
      gone: (c) => this.connections.delete(c),
      log: undefined,
    };
  }

  /** How many sockets are open. */
  get size(): number {
    return this.connections.size;
  }

  /** Registers the plugin and the channel routes (after the app's HTTP routes). */
  async register(app: FastifyInstance, routes: (ChannelRoute & { host?: string })[]): Promise<void> {
    const { settings } = this.options;
    this.ctx.log = app.log;
    await app.register(require('@fastify/websocket'), {
      options: { maxPayload: settings.maxPayload, clientTracking: false, perMessageDeflate: false },
      // An oversize frame (1009) or a protocol error: ws has already started the close handshake with the
      // right code; cutting the socket now could lose that frame. Anything else on an open socket ends it.
      errorHandler: (err: Error, socket: WebSocket, req: FastifyRequest) => {
        // The app's logger with the request's id: a route stryke's router did not register has fastify's no-op
        // `req.log` when the level is above info (framework/http/request-logger.ts).
        this.ctx.log?.warn({ reqId: req.id, err }, 'websocket error');
        if (socket.readyState === 1) socket.terminate();
      },
      preClose: (done: () => void) => {
        this.close().then(() => done(), () => done());
      },
    });
    const preValidation = async (req: FastifyRequest, reply: FastifyReply) => {
      if (this.closing) return reply.code(503).header('retry-after', '1').send({ error: 'shutting down', code: 'STRYKE_E_CHANNELS_CLOSING' });
      if (!originAllowed(req, settings.allowedOrigins, this.options.appUrl)) {
        const err = ChannelErrors.FORBIDDEN_ORIGIN(JSON.stringify(req.headers.origin));
        this.ctx.log?.warn({ reqId: req.id, origin: req.headers.origin }, err.message);
        return reply.code(403).type('application/json; charset=utf-8').send({ error: err.message, code: err.code });
      }
      noteUpgradeResponse(req.raw, reply.raw);
    };
    for (const route of routes) {
      app.route({
        method: 'GET',
        url: route.path,
        ...(route.host ? { constraints: { host: route.host } } : {}),
        preValidation,
        handler: (req: FastifyRequest, reply: FastifyReply) => {
          const err = ChannelErrors.UPGRADE_REQUIRED(route.path, req.url);
          return reply.code(426).header('upgrade', 'websocket').type('application/json; charset=utf-8').send({ error: err.message, code: err.code });
        },
        wsHandler: (socket: WebSocket, req: FastifyRequest) => this.accept(socket, req, route),
      } as any);
    }
    if (settings.pingIntervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), settings.pingIntervalMs);
      this.timer.unref();
    }
  }

  private accept(socket: WebSocket, req: FastifyRequest, route: ChannelRoute): Promise<void> {
    const c = new Connection(socket, req, route, this.ctx);
    this.connections.add(c);
    if (this.closing) {
      c.close(1001, 'server shutting down');
      return Promise.resolve();
    }
    return c.open();
  }

  /** Drops the peers that did not answer the last ping; pings the others. */
  private sweep(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        c.request.log.info({ connection: c.id }, 'websocket peer did not answer a ping: dropped');
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.socket.ping();
      } catch {
        c.socket.terminate();
      }
    }
  }

  /**
   * Shutdown and reload: every socket closes with 1001 (the client reconnects to another worker and
   * resumes); sockets still open after the grace are cut.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    const open = [...this.connections];
    for (const c of open) c.close(1001, 'server shutting down');
    if (!open.length) return;
    const deadline = Date.now() + this.options.settings.closeGraceMs;
    while (this.connections.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of this.connections) c.socket.terminate();
  }
}
