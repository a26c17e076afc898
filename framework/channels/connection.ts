import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
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
  session: (req: FastifyRequest) => Session;
  currentUser: (session: Session, req: FastifyRequest) => unknown;
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
export class Connection implements Subscriber {
  readonly id = randomBytes(9).toString('base64url');
  /** Answered the last ping (or said anything since). */
  alive = true;
  private readonly joined = new Map<string, boolean>();
  private channel!: ActionChannel;
  /** Broadcasts held while onConnect runs (they go out after the resumed ones, without duplicates). */
  private held: BroadcastMessage[] | undefined = [];
  private ready = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private pendingBeforeReady: string[] = [];
  private tokens: number;
  private lastRefill = Date.now();

  constructor(readonly socket: WebSocket, readonly request: FastifyRequest, private readonly route: ChannelRoute, private readonly ctx: ConnectionContext) {
    this.tokens = ctx.settings.burst;
  }

  /** Runs the connection: onConnect, resume, then messages until the socket closes. */
  async open(): Promise<void> {
    const socket = this.socket;
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    socket.on('close', () => this.onClose());

    const req = this.request;
    let session: Session | undefined;
    let user: unknown;
    const link: ChannelLink = {
      id: this.id,
      request: req,
      params: { ...(req.query as Record<string, string>), ...(req.params as Record<string, string>) },
      get session() {
        return (session ??= ctxSession());
      },
      currentUser: undefined,
      join: (stream, presence) => this.join(stream, presence),
      leave: (stream) => this.leave(stream),
      streams: () => [...this.joined.keys()],
      send: (event, data) => this.send(directFrame(event, data)),
    };
    const ctxSession = () => this.ctx.session(req);
    delete link.params.lastEventId;
    try {
      this.channel = this.route.make();
      this.channel[CONNECTION] = link;
      user = await this.ctx.currentUser(link.session, req);
      link.currentUser = user;
      const onConnect = (this.channel as Lifecycle).onConnect;
      if (typeof onConnect === 'function') await onConnect.call(this.channel);
    } catch (err) {
      if (err instanceof ChannelRejection) return this.close(err.code, err.reason);
      req.log.error({ err }, `${this.route.name} channel: onConnect failed`);
      return this.close(1011, 'server error');
    }
    if (this.closed) return;
    this.resume();
    this.ready = true;
    this.send(`{"type":"ready","connection":"${this.id}"}`);
    for (const text of this.pendingBeforeReady) this.enqueue(text);
    this.pendingBeforeReady = [];
  }

  /** Sends what the client missed (with `?lastEventId=`), then what was broadcast during onConnect. */
  private resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    const since = (this.request.query as Record<string, unknown>)?.lastEventId;
    const out: BroadcastMessage[] = [];
    if (typeof since === 'string' && since !== '') {
      for (const stream of this.joined.keys()) out.push(...fabric.buffer.since(stream, since));
      out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    }
    const sent = new Set(out.map((m) => m.id));
    for (const m of held) if (!sent.has(m.id)) out.push(m);
    for (const m of out) this.send(eventFrame(m));
  }

  private join(stream: string, presence: Record<string, unknown> | false): void {
    if (typeof stream !== 'string' || stream === '') throw new TypeError('join: the stream must be a non-empty string');
    if (this.closed || this.joined.has(stream)) return;
    this.joined.set(stream, presence !== false);
    fabric.subscribe(stream, this);
    if (presence !== false) fabric.track(stream, this.id, presence);
  }

  private leave(stream: string): void {
    const tracked = this.joined.get(stream);
    if (tracked === undefined) return;
    this.joined.delete(stream);
    fabric.unsubscribe(stream, this);
    if (tracked) fabric.untrack(stream, this.id);
  }

  deliver(m: BroadcastMessage): void {
    if (this.held) this.held.push(m);
    else this.send(eventFrame(m));
  }

  presence(stream: string, event: 'join' | 'leave', member: Member): void {
    if (member.id === this.id || this.held) return;
    this.send(presenceFrame(stream, event, member));
  }

  /** Sends a frame, unless the client reads too slowly: then it is disconnected rather than buffered without end. */
  send(frame: string): void {
    const socket = this.socket;
    if (this.closed || socket.readyState !== 1) return;
    if (socket.bufferedAmount > this.ctx.settings.maxBufferedBytes) {
      this.request.log.warn({ connection: this.id, buffered: socket.bufferedAmount }, 'websocket client too slow: disconnected');
      this.closed = true;
      socket.terminate();
      return;
    }
    socket.send(frame);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    if (this.closed) return;
    if (!this.takeToken()) {
      this.request.log.warn({ connection: this.id }, 'websocket client over its message rate: closed (1008)');
      return this.close(1008, 'rate limit exceeded');
    }
    if (isBinary) {
      this.send(errorFrame(ChannelErrors.INVALID_MESSAGE.code, ChannelErrors.INVALID_MESSAGE('binary frames are not accepted').message));
      return;
    }
    const text = data.toString('utf8');
    if (!this.ready) this.pendingBeforeReady.push(text);
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
    this.queue = this.queue.then(() => this.dispatch(text));
  }

  private async dispatch(text: string): Promise<void> {
    if (this.closed) return;
    const msg = parseMessage(text);
    if (typeof msg === 'string') {
      this.send(errorFrame(ChannelErrors.INVALID_MESSAGE.code, ChannelErrors.INVALID_MESSAGE(msg).message));
      return;
    }
    const { action, ref } = msg;
    if (!this.route.actions.has(action) || PROTOTYPE_NAMES.has(action) || typeof (this.channel as any)[action] !== 'function') {
      this.send(errorFrame(ChannelErrors.UNKNOWN_ACTION.code, ChannelErrors.UNKNOWN_ACTION(this.channel.constructor.name, action.slice(0, 64)).message, ref));
      return;
    }
    try {
      const result = await (this.channel as any)[action](msg.data);
      if (result !== undefined || ref !== undefined) this.send(replyFrame(ref, result));
    } catch (err) {
      if (err instanceof ChannelRejection) return this.close(err.code, err.reason);
      this.request.log.error({ err, action }, `${this.route.name} channel: action ${action} failed`);
      const coded = err as { code?: unknown; status?: number; message?: string };
      const exposed = typeof coded.code === 'string' && coded.code.startsWith('STRYKE_E_') && (coded.status ?? 500) < 500;
      const code = exposed ? (coded.code as string) : ChannelErrors.ACTION_FAILED.code;
      const detail = exposed || !this.ctx.production ? `: ${coded.message ?? String(err)}` : '';
      const message = exposed ? String(coded.message) : ChannelErrors.ACTION_FAILED(action, detail).message;
      this.send(errorFrame(code, message, ref));
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

  private onClose(): void {
    this.closed = true;
    this.held = undefined;
    for (const stream of [...this.joined.keys()]) this.leave(stream);
    this.ctx.gone(this);
    const channel = this.channel as Lifecycle | undefined;
    if (typeof channel?.onDisconnect !== 'function') return;
    // After the messages already running: onDisconnect is the last thing the channel sees.
    this.queue = this.queue.then(async () => {
      try {
        await channel.onDisconnect!();
      } catch (err) {
        this.request.log.error({ err }, `${this.route.name} channel: onDisconnect failed`);
      }
    });
  }
}
