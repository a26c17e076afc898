import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Session } from '../security';
import { runAction } from './actions';
import { ActionChannel, ChannelRejection, CONNECTION, type ChannelLink } from './channel';
import type { ChannelSettings } from './config';
import { ChannelErrors } from './errors';
import { fabric, type Subscriber } from './fabric';
import { fullTokens, rateClock, takeToken } from './message-rate';
import type { Member } from './presence';
import { addTo, hasIn, listOf, removeFrom, type Streams } from './stream-list';
import { keptHeaders, UpgradeRequest } from './upgrade';
import { directFrame, errorFrame, eventFrame, presenceFrame, type BroadcastMessage } from './protocol';
import { resumeMessages } from './resume';
import { adoptSocket, uncork, wireOf } from './socket-events';

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

/** The params of a connection without path or query parameters (most of them): one shared, frozen object. */
const NO_PARAMS: Record<string, string> = Object.freeze({});

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
  /** @internal the message rate's bucket (see message-rate.ts): integers on the connection, no object of its own. */
  tokens: number;
  /** @internal */
  lastRefill: number;
  /** @internal the TCP socket under the WebSocket (corked for a turn while frames are sent) */
  readonly wire: Socket | undefined;

  constructor(readonly socket: WebSocket, req: FastifyRequest, private readonly route: ChannelRoute, private readonly ctx: ConnectionContext) {
    this.wire = wireOf(req);
    this.tokens = fullTokens(ctx.settings);
    this.lastRefill = rateClock();
    this.upgradeHeaders = keptHeaders(req.headers);
    this.ip = req.ip;
    this.url = req.url;
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
    adoptSocket(socket, this, req);
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
    for (const m of resumeMessages(listOf(this.joined), since, held)) this.sendFrame(eventFrame(m));
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
      const wire = this.wire;
      if (wire) {
        this.corked = true;
        wire.cork();
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
    if (!takeToken(this, this.ctx.settings)) {
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
    await runAction(this, this.route, this.channel, this.ctx.production, text);
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
