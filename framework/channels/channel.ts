import type { Session } from '../security';
import { ChannelErrors } from './errors';
import { fabric } from './fabric';
import type { Member } from './presence';
import type { UpgradeRequest } from './connection';

/** @internal what a channel instance reaches its connection through */
export const CONNECTION = Symbol.for('stryke.channels.connection');

/** @internal the connection's side, as the channel sees it (see connection.ts). */
export interface ChannelLink {
  id: string;
  request: UpgradeRequest;
  params: Record<string, string>;
  session: Session;
  currentUser: unknown;
  join(stream: string, presence: Record<string, unknown> | false): void;
  leave(stream: string): void;
  streams(): string[];
  send(event: string, data: unknown): void;
}

export interface JoinOptions {
  /**
   * What `presence(stream)` lists for this connection, beside its `id` (default: `{ user }` with the
   * current user's id when there is one); false to subscribe without appearing in presence.
   */
  presence?: Record<string, unknown> | false;
}

/** Thrown by `this.reject()`: ends onConnect and closes the connection with the code. */
export class ChannelRejection extends Error {
  constructor(readonly code: number, readonly reason: string) {
    super(`connection rejected (${code}${reason ? `: ${reason}` : ''})`);
  }
}

/**
 * The base of every channel (apps extend it as `ApplicationChannel`). One instance serves one
 * WebSocket connection: its constructor receives the injected services; `onConnect` runs once the socket
 * is open, the `@Action()` methods once per message, `onDisconnect` when it closes.
 */
export class ActionChannel {
  /** @internal */
  [CONNECTION]!: ChannelLink;

  // Lifecycle, declared by the app's channel when it needs them (not here, so no `override` is needed):
  //   onConnect()     runs when a client connects: join streams, check who it is (`this.reject(4401)` refuses it)
  //   onDisconnect()  runs once the connection closed (the client left, the server shut down, or it was rejected)

  /** This connection's id (unique across workers and machines; presence lists it). */
  get id(): string {
    return this[CONNECTION].id;
  }

  /** Path parameters (`/chat/:roomId` gives `this.params.roomId`) and the query string's, as strings. */
  get params(): Record<string, string> {
    return this[CONNECTION].params;
  }

  /** What is kept of the upgrade request: headers, ip, url, and a logger. */
  get request(): UpgradeRequest {
    return this[CONNECTION].request;
  }

  /**
   * The same encrypted cookie session the app's controllers use, as it was when the socket opened.
   * Read it here; changes are not written back (a socket cannot set a cookie): change it in a controller.
   */
  get session(): Session {
    return this[CONNECTION].session;
  }

  /** The signed-in user, when the app resolves one from the session (see `setChannelUserResolver`), else undefined. */
  get currentUser(): any {
    return this[CONNECTION].currentUser;
  }

  get log() {
    return this[CONNECTION].request.log;
  }

  /** Subscribes this connection to a stream: its broadcasts (and presence changes) reach this client. */
  join(stream: string, options: JoinOptions = {}): void {
    const user = this.currentUser as { id?: unknown } | undefined;
    const presence = options.presence === undefined ? (user && user.id !== undefined ? { user: user.id } : {}) : options.presence;
    this[CONNECTION].join(stream, presence);
  }

  leave(stream: string): void {
    this[CONNECTION].leave(stream);
  }

  /** The streams this connection has joined. */
  get streams(): string[] {
    return this[CONNECTION].streams();
  }

  /** Sends an event to this connection only. */
  send(event: string, data?: unknown): void {
    this[CONNECTION].send(event, data);
  }

  /** Broadcasts to every subscriber of a stream, in every worker and machine (the same as `broadcastTo`). */
  broadcastTo(stream: string, event: string, data?: unknown): string {
    return fabric.broadcast(stream, event, data);
  }

  /** Who is connected to a stream, across workers and machines. */
  presence(stream: string): Member[] {
    return fabric.presence(stream);
  }

  /**
   * Refuses the connection (in onConnect) or ends it (later): it closes with `code`, 4000-4999, which the
   * stryke client takes as final (it does not reconnect). Nothing after it runs.
   * @example if (!this.currentUser) this.reject(4401, 'sign in first');
   */
  reject(code = 4403, reason = 'forbidden'): never {
    if (!Number.isInteger(code) || code < 4000 || code > 4999) throw ChannelErrors.BAD_REJECT_CODE(code);
    throw new ChannelRejection(code, String(reason).slice(0, 120));
  }
}
