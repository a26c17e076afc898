import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Session } from '../security';
import { ActionChannel, ChannelRejection, CONNECTION, type ChannelLink } from './channel';
import type { ChannelSettings } from './config';
import { ChannelErrors } from './errors';
import { fabric, type Subscriber } from './fabric';
import type { Member } from './presence';
import { directFrame, errorFrame, eventFrame, parseMessage, presenceFrame, replyFrame, type BroadcastMessage } from './protocol';

/** What a channel route knows at boot: its class, how to build one, the names messages may call. */
export interface ChannelRoute {
  path: string;
  name: string;
  make: () => ActionChannel;
  actions: Set<string>;
}

export interface ConnectionContext {
  settings: ChannelSettings;
  production: boolean;
  session: (cookieHeader: string | undefined) => Session;
  currentUser: (session: Session, req: UpgradeRequest) => unknown;
  /** Called once the socket has closed (the server forgets it). */
  gone: (c: Connection) => void;
}

interface Lifecycle {
  onConnect?(): unknown;
  onDisconnect?(): unknown;
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * One WebSocket connection and its channel instance: the lifecycle (onConnect, messages in order,
 * onDisconnect), the streams it joined, resume, and the per-connection limits (message rate, slow reader).
 */
/** The connection behind a socket (listeners are shared functions, not closures per connection). */
const CONN = Symbol('stryke.channels.conn');

function onPong(this: WebSocket): void {
  (this as any)[CONN].alive = true;
}
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  (this as any)[CONN].onFrame(data, isBinary);
}
function onSocketClose(this: WebSocket): void {
  (this as any)[CONN].onClose();
}
function uncork(c: Connection): void {
  c.corked = false;
  (c.socket as any)._socket?.uncork();
  c.checkBacklog();
}

function onSocketError(this: WebSocket, err: Error): void {
  const c = (this as any)[CONN] as Connection;
  c.request.log.warn({ err, connection: c.id }, 'websocket error');
  // An oversize frame (1009) or a protocol error: ws has started the close handshake with the right code.
  if (this.readyState === 1) this.terminate();
}

/**
 * What a channel keeps of its upgrade request: headers, address, URL and a logger. (Not the request
 * itself: an idle connection should not hold a request object, its parsed URL and its child logger.)
 */
export class UpgradeRequest {
  readonly headers: FastifyRequest['headers'];
  readonly ip: string;
  readonly url: string;
  private _log: FastifyBaseLogger | undefined;

  constructor(req: FastifyRequest, private readonly connection: string, private readonly parentLog: FastifyBaseLogger) {
    this.headers = req.headers;
    this.ip = req.ip;
    this.url = req.url;
  }

  get log(): FastifyBaseLogger {
    return (this._log ??= this.parentLog.child({ connection: this.connection }));
  }
}

/**
 * One WebSocket connection and its channel instance: the lifecycle (onConnect, messages in order,
 * onDisconnect), the streams it joined, resume, and the per-connection limits (message rate, slow reader).
 * It is also what the channel reaches its connection through (ChannelLink).
 */
export class Connection implements Subscriber, ChannelLink {
  readonly id = randomBytes(9).toString('base64url');
  /** Answered the last ping (or said anything since). */
  alive = true;
  readonly request: UpgradeRequest;
  readonly params: Record<string, string>;
  currentUser: unknown = undefined;
  private _session: Session | undefined = undefined;
  private readonly joined = new Map<string, boolean>();
  private channel: ActionChannel | undefined = undefined;
  /** Broadcasts held while onConnect runs (they go out after the resumed ones, without duplicates). */
  private held: BroadcastMessage[] | undefined = [];
  private ready = false;
  private closed = false;
  private queue: Promise<void> | undefined = undefined;
  private pendingBeforeReady: string[] | undefined = [];
  private tokens: number;
  private lastRefill = Date.now();
  private readonly since: string | undefined;
  /** Frames sent in one turn of the event loop leave in one write (a burst of broadcasts, a resume). */
  corked = false;

  constructor(readonly socket: WebSocket, req: FastifyRequest, private readonly route: ChannelRoute, private readonly ctx: ConnectionContext) {
    this.tokens = ctx.settings.burst;
    this.request = new UpgradeRequest(req, this.id, req.server.log);
    const query = (req.query ?? {}) as Record<string, string>;
    this.since = typeof query.lastEventId === 'string' && query.lastEventId !== '' ? query.lastEventId : undefined;
    this.params = { ...query, ...(req.params as Record<string, string>) };
    delete this.params.lastEventId;
    this._session = undefined;
    (socket as any)[CONN] = this;
    // @fastify/websocket assigned a ServerResponse to the socket for routing: detached, the idle connection
    // no longer holds it (nor, through it, the upgrade request).
    const raw = (socket as any)._socket;
    const res = raw?._httpMessage;
    if (res && typeof res.detachSocket === 'function') res.detachSocket(raw);
    // The plugin's own error listener holds the request and reply: ours (the same handling) does not.
    socket.removeAllListeners('error');
    socket.on('error', onSocketError);
    socket.on('pong', onPong);
    socket.on('message', onMessage);
    socket.on('close', onSocketClose);
    this.cookieHeader = req.headers.cookie;
  }

  private readonly cookieHeader: string | undefined;

  get session(): Session {
    return (this._session ??= this.ctx.session(this.cookieHeader));
  }

  streams(): string[] {
    return [...this.joined.keys()];
  }

  /** Runs the connection: onConnect, resume, then messages until the socket closes. */
  async open(): Promise<void> {
    try {
      const channel = (this.channel = this.route.make());
      channel[CONNECTION] = this;
      this.currentUser = await this.ctx.currentUser(this.session, this.request);
      const onConnect = (channel as Lifecycle).onConnect;
      if (typeof onConnect === 'function') await onConnect.call(channel);
    } catch (err) {
      if (err instanceof ChannelRejection) return this.close(err.code, err.reason);
      this.request.log.error({ err }, `${this.route.name} channel: onConnect failed`);
      return this.close(1011, 'server error');
    }
    if (this.closed) return;
    this.resume();
    this.ready = true;
    this.sendFrame(`{"type":"ready","connection":"${this.id}"}`);
    const pending = this.pendingBeforeReady!;
    this.pendingBeforeReady = undefined;
    for (const text of pending) this.enqueue(text);
  }

  /** Sends what the client missed (with `?lastEventId=`), then what was broadcast during onConnect. */
  private resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    const since = this.since;
    const out: BroadcastMessage[] = [];
    if (since !== undefined) {
      for (const stream of this.joined.keys()) out.push(...fabric.buffer.since(stream, since));
      out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    }
    const sent = new Set(out.map((m) => m.id));
    for (const m of held) if (!sent.has(m.id)) out.push(m);
    for (const m of out) this.sendFrame(eventFrame(m));
  }

  join(stream: string, presence: Record<string, unknown> | false): void {
    if (typeof stream !== 'string' || stream === '') throw ChannelErrors.BAD_ARGUMENT('join', 'the stream must be a non-empty string');
    if (this.closed || this.joined.has(stream)) return;
    this.joined.set(stream, presence !== false);
    fabric.subscribe(stream, this);
    if (presence !== false) fabric.track(stream, this.id, presence);
  }

  leave(stream: string): void {
    const tracked = this.joined.get(stream);
    if (tracked === undefined) return;
    this.joined.delete(stream);
    fabric.unsubscribe(stream, this);
    if (tracked) fabric.untrack(stream, this.id);
  }

  deliver(m: BroadcastMessage): void {
    if (this.held) this.held.push(m);
    else this.sendFrame(eventFrame(m));
  }

  presence(stream: string, event: 'join' | 'leave', member: Member): void {
    if (member.id === this.id || this.held) return;
    this.sendFrame(presenceFrame(stream, event, member));
  }

  /** `this.send(event, data)` of the channel: an event to this connection only. */
  send(event: string, data: unknown): void {
    this.sendFrame(directFrame(event, data));
  }

  /**
   * Sends a frame. Frames of one turn of the event loop leave together (corked: one write for a burst of
   * broadcasts). A client that reads too slowly, whose backlog passes `max_buffered`, is disconnected rather
   * than buffered without end: checked before the first frame of a turn and after the turn's write.
   */
  sendFrame(frame: string): void {
    const socket = this.socket;
    if (this.closed || socket.readyState !== 1) return;
    if (!this.corked) {
      if (!this.checkBacklog()) return;
      const raw = (socket as any)._socket;
      if (raw) {
        this.corked = true;
        raw.cork();
        process.nextTick(uncork, this);
      }
    }
    socket.send(frame);
  }

  /** @internal false (and the socket cut) when the client's backlog is over the limit. */
  checkBacklog(): boolean {
    const socket = this.socket;
    if (this.closed && socket.readyState !== 1) return false;
    if (socket.bufferedAmount <= this.ctx.settings.maxBufferedBytes) return true;
    this.request.log.warn({ buffered: socket.bufferedAmount }, 'websocket client too slow: disconnected');
    this.closed = true;
    socket.terminate();
    return false;
  }

  /** @internal a frame from the client */
  onFrame(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    if (this.closed) return;
    if (!this.takeToken()) {
      this.request.log.warn({ connection: this.id }, 'websocket client over its message rate: closed (1008)');
      return this.close(1008, 'rate limit exceeded');
    }
    if (isBinary) {
      this.sendFrame(errorFrame(ChannelErrors.INVALID_MESSAGE.code, ChannelErrors.INVALID_MESSAGE('binary frames are not accepted').message));
      return;
    }
    const text = data.toString('utf8');
    if (!this.ready) this.pendingBeforeReady?.push(text);
    else this.enqueue(text);
  }

  /** Token bucket: `burst` messages at once, refilled at `messagesPerSecond`. */
  private takeToken(): boolean {
    const { messagesPerSecond, burst } = this.ctx.settings;
    const now = Date.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.lastRefill) / 1000) * messagesPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Messages run one after another, in the order they arrived. */
  private enqueue(text: string): void {
    const run = (this.queue ?? Promise.resolve()).then(() => this.dispatch(text));
    this.queue = run;
    // Idle again once the last message ran: no promise is kept per idle connection.
    void run.then(() => {
      if (this.queue === run) this.queue = undefined;
    });
  }

  private async dispatch(text: string): Promise<void> {
    if (this.closed) return;
    const msg = parseMessage(text);
    if (typeof msg === 'string') {
      this.sendFrame(errorFrame(ChannelErrors.INVALID_MESSAGE.code, ChannelErrors.INVALID_MESSAGE(msg).message));
      return;
    }
    const { action, ref } = msg;
    const channel = this.channel as any;
    if (!this.route.actions.has(action) || PROTOTYPE_NAMES.has(action) || typeof channel[action] !== 'function') {
      this.sendFrame(errorFrame(ChannelErrors.UNKNOWN_ACTION.code, ChannelErrors.UNKNOWN_ACTION(this.route.name, action.slice(0, 64)).message, ref));
      return;
    }
    try {
      const result = await channel[action](msg.data);
      if (result !== undefined || ref !== undefined) this.sendFrame(replyFrame(ref, result));
    } catch (err) {
      if (err instanceof ChannelRejection) return this.close(err.code, err.reason);
      this.request.log.error({ err, action }, `${this.route.name} channel: action ${action} failed`);
      const coded = err as { code?: unknown; status?: number; message?: string };
      const exposed = typeof coded.code === 'string' && coded.code.startsWith('STRYKE_E_') && (coded.status ?? 500) < 500;
      const code = exposed ? (coded.code as string) : ChannelErrors.ACTION_FAILED.code;
      const detail = exposed || !this.ctx.production ? `: ${coded.message ?? String(err)}` : '';
      const message = exposed ? String(coded.message) : ChannelErrors.ACTION_FAILED(action, detail).message;
      this.sendFrame(errorFrame(code, message, ref));
    }
  }

  /** Closes with a code (1001 going away, 1008 policy, 4xxx the channel's refusal). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    let why = Buffer.from(reason, 'utf8');
    if (why.length > 123) why = why.subarray(0, 123);
    try {
      this.socket.close(code, why.toString('utf8').replace(/\uFFFD$/, ''));
    } catch {
      this.socket.terminate();
    }
  }

  /** @internal the socket closed */
  onClose(): void {
    this.closed = true;
    this.held = undefined;
    for (const stream of [...this.joined.keys()]) this.leave(stream);
    this.ctx.gone(this);
    const channel = this.channel as Lifecycle | undefined;
    if (typeof channel?.onDisconnect !== 'function') return;
    // After the messages already running: onDisconnect is the last thing the channel sees.
    this.queue = (this.queue ?? Promise.resolve()).then(async () => {
      try {
        await channel.onDisconnect!();
      } catch (err) {
        this.request.log.error({ err }, `${this.route.name} channel: onDisconnect failed`);
      }
    });
  }
}
