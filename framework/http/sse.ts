import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpErrors } from './errors';

/** The open event streams of one process, and how many may be open at once. */
export interface SseLimit {
  open: number;
  max: number;
}

/**
 * The event streams open in each app, keyed by the app's node server (`fastify.server`, the same object for
 * every encapsulated plugin context, and present under inject too): shutdown and reload end one app's
 * streams (see endOpenStreams), never another app's in the same process.
 */
const openByServer = new WeakMap<object, Set<SseStream>>();

function openOf(server: object): Set<SseStream> {
  let set = openByServer.get(server);
  if (!set) openByServer.set(server, (set = new Set()));
  return set;
}

/**
 * Ends the open event streams of one app (at its shutdown and on a SIGHUP reload): their producers see
 * `closed` and their clients reconnect, to another worker, with Last-Event-ID, instead of holding the
 * process. Another app booted in the same process keeps its streams.
 * @example endOpenStreams(app.server)
 */
export function endOpenStreams(app: { server: object }): void {
  const set = openByServer.get(app.server);
  if (set) for (const s of [...set]) s.end();
}

export interface SseEvent {
  data: unknown;
  event?: string;
  id?: string | number;
  /** Milliseconds the client should wait before reconnecting. */
  retry?: number;
}

/**
 * One server-sent events connection. `send` waits when the socket's buffer is full (backpressure), and
 * resolves false once the client has gone.
 */
export class SseStream {
  /** The id the client last saw (the Last-Event-ID header), to resume from. */
  readonly lastEventId: string | undefined;
  private closedFlag = false;
  private readonly abort = new AbortController();
  /** The open streams of this stream's app. */
  private readonly open: Set<SseStream>;

  constructor(private readonly req: FastifyRequest, private readonly reply: FastifyReply) {
    const h = req.headers['last-event-id'];
    this.lastEventId = typeof h === 'string' && h !== '' ? h : undefined;
    this.open = openOf(req.server.server);
    this.open.add(this);
    reply.raw.on('close', () => {
      this.closedFlag = true;
      this.open.delete(this);
      this.abort.abort();
    });
  }

  /**
   * Forwards the broadcasts of these streams (`broadcastTo(stream, event, data)` from anywhere) until the
   * client leaves: what it missed since Last-Event-ID first, from the channels' resume buffer.
   * @example return this.sse((stream) => stream.follow('posts'));
   */
  follow(...streams: string[]): Promise<void> {
    return (require('../channels/internal') as typeof import('../channels/internal')).followStreams(this, streams);
  }

  /** True once the client disconnected. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Aborted when the client disconnects: pass it to timers and fetches. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async send(event: SseEvent | string): Promise<boolean> {
    if (this.closedFlag) return false;
    const e: SseEvent = typeof event === 'string' ? { data: event } : event;
    let frame = '';
    if (e.id !== undefined) frame += `id: ${String(e.id).replace(/[\r\n]/g, '')}\n`;
    if (e.event) frame += `event: ${e.event.replace(/[\r\n]/g, '')}\n`;
    if (e.retry !== undefined) frame += `retry: ${Math.floor(e.retry)}\n`;
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    for (const line of data.split(/\r?\n/)) frame += `data: ${line}\n`;
    return this.write(`${frame}\n`);
  }

  /** A comment line, to keep proxies from closing an idle connection. */
  async comment(text = ''): Promise<boolean> {
    return this.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  private async write(chunk: string): Promise<boolean> {
    if (this.closedFlag) return false;
    const raw = this.reply.raw;
    if (!raw.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
      });
    }
    return !this.closedFlag;
  }

  end(): void {
    this.open.delete(this);
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.abort.abort();
    this.reply.raw.end();
  }
}

/**
 * Takes over the response for an event stream and runs `produce` until it returns or the client leaves.
 * The headers already set on the reply (the secure headers, the session cookie) go out with it. Each open
 * stream holds a connection (and whatever its producer polls): past `limit.max` open streams in this
 * process, a new one is refused with 503 and Retry-After (STRYKE_E_HTTP_SSE_BUSY), before it starts.
 */
export async function runSse(req: FastifyRequest, reply: FastifyReply, produce: (s: SseStream) => unknown, limit?: SseLimit): Promise<FastifyReply> {
  if (limit && limit.open >= limit.max) {
    reply.header('retry-after', '5');
    throw HttpErrors.SSE_BUSY(limit.max);
  }
  if (limit) {
    limit.open++;
    reply.raw.once('close', () => limit.open--);
  }
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...reply.getHeaders(),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  } as Record<string, string>);
  raw.flushHeaders();
  const stream = new SseStream(req, reply);
  try {
    await produce(stream);
  } catch (err) {
    req.log.error({ err }, 'event stream failed');
  } finally {
    stream.end();
  }
  return reply;
}
