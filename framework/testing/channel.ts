import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { App } from '../app';

export interface ChannelConnectOptions {
  /** Extra upgrade headers (Origin, Cookie...). */
  headers?: Record<string, string>;
  /** A TestClient whose cookies (the session) the socket sends, as a browser would. */
  client?: { cookieHeader(): string | undefined };
  /** Resume: the id of the last event this client saw. */
  lastEventId?: string;
  /** Resolve once the socket is open instead of once the channel's onConnect finished (`ready`). */
  waitReady?: boolean;
}

export interface ChannelFrame {
  type: 'ready' | 'event' | 'presence' | 'reply' | 'error';
  [key: string]: any;
}

/** Where an app listens (it starts listening on an ephemeral port the first time). */
export async function baseUrlOf(target: App | string): Promise<string> {
  if (typeof target === 'string') return target.replace(/^http/, 'ws').replace(/\/$/, '');
  const server = target.server.server;
  if (!server.listening) await target.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}`;
}

/**
 * A channel connection in a test, over a real socket: send messages, perform actions, and wait for the
 * events, presence changes and errors the server sends.
 * @example
 * const chat = await connectChannel(app, '/chat/1');
 * await chat.perform('speak', { body: 'hi' });
 * const e = await chat.nextEvent('message');
 */
export class ChannelTestSocket {
  /** Every frame received, in order. */
  readonly frames: ChannelFrame[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: { match: (f: ChannelFrame) => boolean; resolve: (f: ChannelFrame) => void }[] = [];
  private consumed = new Set<ChannelFrame>();
  private ref = 0;
  closeInfo: { code: number; reason: string } | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let frame: ChannelFrame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (!this.consumed.has(frame) && w.match(frame)) {
          this.consumed.add(frame);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      resolve(this.closeInfo);
    }));
  }

  /** Sends a raw frame (a string as is, anything else as JSON). */
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Runs an action and resolves with its reply's data; rejects with the error frame. */
  async perform(action: string, data?: unknown, timeoutMs = 5000): Promise<any> {
    const ref = ++this.ref;
    this.send({ action, data, ref });
    const frame = await this.next((f) => (f.type === 'reply' || f.type === 'error') && f.ref === ref, timeoutMs);
    if (frame.type === 'error') throw Object.assign(new Error(frame.message), { code: frame.code, frame });
    return frame.data;
  }

  /** The next frame (not taken by an earlier wait) that matches; rejects after the timeout or when the socket closes. */
  next(match: (f: ChannelFrame) => boolean = () => true, timeoutMs = 5000): Promise<ChannelFrame> {
    const early = this.frames.find((f) => !this.consumed.has(f) && match(f));
    if (early) {
      this.consumed.add(early);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: ChannelFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; received: ${JSON.stringify(this.frames).slice(0, 800)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next broadcast or direct event named `event` (of `stream`, when given). */
  nextEvent(event: string, stream?: string, timeoutMs = 5000): Promise<ChannelFrame> {
    return this.next((f) => f.type === 'event' && f.event === event && (stream === undefined || f.stream === stream), timeoutMs);
  }

  /** The events received so far named `event`. */
  events(event?: string): ChannelFrame[] {
    return this.frames.filter((f) => f.type === 'event' && (event === undefined || f.event === event));
  }

  /** The error frames received so far. */
  errors(): ChannelFrame[] {
    return this.frames.filter((f) => f.type === 'error');
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    await this.closed;
  }
}

/**
 * Connects to a channel of an app (booted with createApp or createTestApp: it starts listening on an
 * ephemeral port if it is not yet) or of a server at a URL. Resolves once the channel is ready (its
 * onConnect finished); rejects with the close code when the channel refuses the connection.
 */
export async function connectChannel(target: App | string, path: string, options: ChannelConnectOptions = {}): Promise<ChannelTestSocket> {
  const base = await baseUrlOf(target);
  let url = `${base}${path}`;
  if (options.lastEventId) url += `${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(options.lastEventId)}`;
  const headers: Record<string, string> = { ...options.headers };
  const cookie = options.client?.cookieHeader();
  if (cookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
  const socket = new WebSocket(url, { headers });
  const test = new ChannelTestSocket(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
    });
    socket.once('error', reject);
  });
  if (options.waitReady === false) return test;
  const ready = test.next((f) => f.type === 'ready', 10_000);
  const outcome = await Promise.race([ready, test.closed.then((c) => ({ closedWith: c }))]);
  if ('closedWith' in outcome) throw Object.assign(new Error(`channel closed the connection: ${outcome.closedWith.code} ${outcome.closedWith.reason}`), outcome.closedWith);
  return test;
}
