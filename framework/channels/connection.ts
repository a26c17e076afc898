import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Session } from '../security';
import { ActionChannel, ChannelRejection, CONNECTION, type ChannelLink } from './channel';
import type { ChannelSettings } from './config';
import { ChannelErrors } from './errors';
import { fabric, type Subscriber } from './fabric';
import type { Member } from './presence';
import { addTo, hasIn, listOf, removeFrom, type Streams } from './stream-list';
import { keptHeaders, UpgradeRequest } from './upgrade';
import { directFrame, errorFrame, eventFrame, parseMessage, presenceFrame, replyFrame, type BroadcastMessage } from './protocol';

export { UpgradeRequest } from './upgrade';

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
  /** The signed-in user of a connection (undefined without a resolver: the session is then never decoded). */
  currentUser: (c: Connection) => unknown;
  /** Called once the socket has closed (the server forgets it). */
  gone: (c: Connection) => void;
  /** The app's logger (each connection's child logger is made from it when first used). */
  log: FastifyBaseLogger | undefined;
}

interface Lifecycle {
  onConnect?(): unknown;
  onDisconnect?(): unknown;
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
/** The params of a connection without path or query parameters (most of them): one shared, frozen object. */
const NO_PARAMS: Record<string, string> = Object.freeze({});

/**
 * The connection behind a socket (listeners are shared functions, not closures per connection). A WeakMap
 * rather than a property on the socket: one more property on ws's WebSocket costs it a property array
 * (64 bytes per connection); an entry here costs less than half of that.
 */
const CONN = new WeakMap<WebSocket, Connection>();

function onPong(this: WebSocket): void {
  CONN.get(this)!.alive = true;
}
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  CONN.get(this)!.onFrame(data, isBinary);
}
function onSocketClose(this: WebSocket): void {
  CONN.get(this)!.onClose();
}
function uncork(c: Connection): void {
  c.corked = false;
  (c.socket as any)._socket?.uncork();
  c.checkBacklog();
}

function onSocketError(this: WebSocket, err: Error): void {
  const c = CONN.get(this)!;
  c.request.log.warn({ err, connection: c.id }, 'websocket error');
  // An oversize frame (1009) or a protocol error: ws has started the close handshake with the right code.
  if (this.readyState === 1) this.terminate();
}

/** What a connection needs only until its onConnect has run. */
interface Opening {
  /** Broadcasts held while onConnect runs (they go out after the resumed ones, without duplicates). */
  held: BroadcastMessage[];
  /** Messages that arrived before it was ready. */
  pending: string[];
  /** The id to resume after (`?lastEventId=`). */
  since: string | undefined;
}

const ALIVE = 1;
const READY = 2;
const CLOSED = 4;
const CORKED = 8;
/** Rate-limit clock: milliseconds since this module loaded (a small integer, not a boxed double). */
const EPOCH = Date.now();

/**
 * One WebSocket connection and its channel instance: the lifecycle (onConnect, messages in order,
 * onDisconnect), the streams it joined, resume, and the per-connection limits (message rate, slow reader).
 * It is also what the channel reaches its connection through (ChannelLink).
 */
export class Connection implements Subscriber, ChannelLink {
  readonly id = randomBytes(9).toString('base64url');
  /**
   * ALIVE (answered the last ping, or said anything since), READY, CLOSED and CORKED in one small integer:
   * every field is 8 bytes on each idle connection.
   */
  private flags = ALIVE;
  /** @internal what `request` shows: the upgrade's headers (less the handshake's), address and URL */
  readonly upgradeHeaders: FastifyRequest['headers'];
  readonly ip: string;
  readonly url: string;
  private _request: UpgradeRequest | undefined = undefined;
  readonly params: Record<string, string>;
  currentUser: unknown = undefined;
  private _session: Session | undefined = undefined;
  /**
   * The streams joined, and those of them with a presence entry. Arrays, not a Map or Set: a connection
   * joins one or a few streams, and an empty Map costs about 700 bytes of heap per idle connection.
   */
  private joined: Streams = undefined;
  private tracked: Streams = undefined;
  private channel: ActionChannel | undefined = undefined;
  private opening: Opening | undefined;
  private queue: Promise<void> | undefined = undefined;
  /** The rate limit's bucket in thousandths of a message, and when it was last filled (ms since EPOCH): integers. */
  private tokens: number;
  private lastRefill = Date.now() - EPOCH;

  constructor(readonly socket: WebSocket, req: FastifyRequest, private readonly route: ChannelRoute, private readonly ctx: ConnectionContext) {
    this.tokens = Math.floor(ctx.settings.burst * 1000);
    this.upgradeHeaders = keptHeaders(req.headers);
    this.ip = req.ip;
    this.url = req.url;
    // Reading the address made node cache it on the socket as an object ({ address, family, port }); the
    // string is kept above, and node reads it again if anything asks.
    const raw = (socket as any)._socket;
    if (raw && raw._peername) raw._peername = undefined;
    const query = (req.query ?? {}) as Record<string, string>;
    this.opening = { held: [], pending: [], since: typeof query.lastEventId === 'string' && query.lastEventId !== '' ? query.lastEventId : undefined };
    const params = { ...query, ...(req.params as Record<string, string>) };
    delete params.lastEventId;
    let any = false;
    for (const _ in params) {
      any = true;
      break;
    }
    this.params = any ? params : NO_PARAMS;
    CONN.set(socket, this);
    // @fastify/websocket assigned a ServerResponse to the socket for routing: detached, the idle connection
    // no longer holds it (nor, through it, the upgrade request).
    const res = raw?._httpMessage;
    if (res && typeof res.detachSocket === 'function') res.detachSocket(raw);
    // The plugin's own error listener holds the request and reply: ours (the same handling) does not.
    socket.removeAllListeners('error');
    socket.on('error', onSocketError);
    socket.on('pong', onPong);
    socket.on('message', onMessage);
    socket.on('close', onSocketClose);
  }

  /** Answered the last ping (or said anything since). */
  get alive(): boolean {
    return (this.flags & ALIVE) !== 0;
  }
  set alive(v: boolean) {
    this.flags = v ? this.flags | ALIVE : this.flags & ~ALIVE;
  }
  private get ready(): boolean {
    return (this.flags & READY) !== 0;
  }
  private set ready(v: boolean) {
    this.flags = v ? this.flags | READY : this.flags & ~READY;
  }
  private get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }
  private set closed(v: boolean) {
    this.flags = v ? this.flags | CLOSED : this.flags & ~CLOSED;
  }
  /** Frames sent in one turn of the event loop leave in one write (a burst of broadcasts, a resume). */
  get corked(): boolean {
    return (this.flags & CORKED) !== 0;
  }
  set corked(v: boolean) {
    this.flags = v ? this.flags | CORKED : this.flags & ~CORKED;
  }

  get request(): UpgradeRequest {
    return (this._request ??= new UpgradeRequest(this));
  }

  /** @internal */
  get parentLog(): FastifyBaseLogger {
    return this.ctx.log!;
  }

  get session(): Session {
    return (this._session ??= this.ctx.session(this.upgradeHeaders.cookie as string | undefined));
  }

  streams(): string[] {
    return [...listOf(this.joined)];
  }

  /** Runs the connection: onConnect, resume, then messages until the socket closes. */
  async open(): Promise<void> {
    try {
      const channel = (this.channel = this.route.make());
      channel[CONNECTION] = this;
      this.currentUser = await this.ctx.currentUser(this);
      const onConnect = (channel as Lifecycle).onConnect;
      if (typeof onConnect === 'function') await onConnect.call(channel);
    } catch (err) {
      if (err instanceof ChannelRejection) return this.close(err.code, err.reason);
      this.request.log.error({ err }, `${this.route.name} channel: onConnect failed`);
      return this.close(1011, 'server error');
    }
    // Resuming on a process that just started: what it missed may still be on its way from the others.
    if (this.opening?.since !== undefined) await fabric.synced;
    const opening = this.opening;
    if (this.closed || !opening) return;
    this.opening = undefined;
    this.resume(opening);
    this.ready = true;
    this.sendFrame(`{"type":"ready","connection":"${this.id}"}`);
    for (const text of opening.pending) this.enqueue(text);
  }

  /** Sends what the client missed (with `?lastEventId=`), then what was broadcast during onConnect. */
  private resume({ held, since }: Opening): void {
    const out: BroadcastMessage[] = [];
    if (since !== undefined) {
      for (const stream of listOf(this.joined)) out.push(...fabric.buffer.since(stream, since));
      out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    }
    const sent = new Set(out.map((m) => m.id));
    for (const m of held) if (!sent.has(m.id)) out.push(m);
    for (const m of out) this.sendFrame(eventFrame(m));
  }

  join(stream: string, presence: Record<string, unknown> | false): void {
    if (typeof stream !== 'string' || stream === '') throw ChannelErrors.BAD_ARGUMENT('join', 'the stream must be a non-empty string');
    if (this.closed || hasIn(this.joined, stream)) return;
    this.joined = addTo(this.joined, stream);
    fabric.subscribe(stream, this);
    if (presence === false) return;
    this.tracked = addTo(this.tracked, stream);
    fabric.track(stream, this.id, presence);
  }

  leave(stream: string): void {
    if (!hasIn(this.joined, stream)) return;
    this.joined = removeFrom(this.joined, stream);
    fabric.unsubscribe(stream, this);
    if (!hasIn(this.tracked, stream)) return;
    this.tracked = removeFrom(this.tracked, stream);
    fabric.untrack(stream, this.id);
  }

  deliver(m: BroadcastMessage): void {
    if (this.opening) this.opening.held.push(m);
    else this.sendFrame(eventFrame(m));
  }

  presence(stream: string, event: 'join' | 'leave', member: Member): void {
    if (member.id === this.id || this.opening) return;
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
    if (!this.ready) this.opening?.pending.push(text);
    else this.enqueue(text);
  }

  /** Token bucket: `burst` messages at once, refilled at `messagesPerSecond`. */
  private takeToken(): boolean {
    const { messagesPerSecond, burst } = this.ctx.settings;
    const now = Date.now() - EPOCH;
    const cap = Math.floor(burst * 1000);
    // messagesPerSecond thousandths per millisecond; the clock moves on only by the time turned into tokens.
    const gained = Math.floor((now - this.lastRefill) * messagesPerSecond);
    if (gained > 0 || this.tokens >= cap) {
      this.tokens = Math.min(cap, this.tokens + gained);
      this.lastRefill = now;
    }
    if (this.tokens < 1000) return false;
    this.tokens -= 1000;
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
    this.opening = undefined;
    for (const stream of [...listOf(this.joined)]) this.leave(stream);
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
