import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFresh, pageBody, sendWithEtag, versionEtag, type FreshnessOptions } from './caching';
import { runSse, type SseStream } from './sse';
import { controllerName } from '../routing/internal';
import type { TypedPaths } from '../routing';
import { CSRF_SESSION_KEY, maskedToken } from '../security';
import { Session } from '../security';
import { jsonText } from '../orm/internal';
import { notFoundError } from './errors';
import { Flash } from './flash';
import { requestFormat, type Format } from './negotiation';
import { buildParams, type Params } from './params';
import { checkRedirect } from './redirect';
import { BODY_CONTENT_TYPE, QUERY_ERROR, RUNTIME, type AppRuntime } from './runtime';

export interface RenderOptions {
  status?: number;
  /** A layout name under app/views/layouts, or false for none. */
  layout?: string | false;
}

export interface RedirectOptions {
  status?: number;
  notice?: string;
  alert?: string;
  /** Allow a location on another host (a location is otherwise checked: STRYKE_E_HTTP_UNSAFE_REDIRECT). */
  allowOtherHost?: boolean;
}

/**
 * The base of every controller (apps extend it as `ApplicationController`). One instance serves one
 * request: its constructor receives the injected services (resolved once, at boot), and the request
 * state (`params`, `session`, `flash`) is built lazily, only when an action reads it.
 */
export class ActionController {
  request!: FastifyRequest;
  reply!: FastifyReply;
  /** The validated body DTO of a route declared with `{ body: Dto }`. */
  body: any;
  /** @internal the app this controller serves */
  [RUNTIME]!: AppRuntime;
  // Per-request state, built lazily. Plain properties set in the constructor (so every instance has one
  // shape), not `#private` fields: on Node 20's V8, reading a native private field in this hot path cost
  // ~40% more instructions per request (measured with callgrind against bare fastify).
  private _params: Params | undefined = undefined;
  private _session: Session | undefined = undefined;
  private _flash: Flash | undefined = undefined;
  private _responded = false;
  private _currentUser: any = undefined;

  /** Whether this request has been answered (by render, json, redirectTo, head, freshWhen or sse). */
  get responded(): boolean {
    return this._responded || this.reply.sent;
  }

  /** Path, query and body parameters, merged. */
  get params(): Params {
    if (!this._params) {
      const req = this.request;
      const queryError = (req.query as any)?.[QUERY_ERROR];
      if (queryError) throw queryError;
      const isJson = typeof req.headers['content-type'] === 'string' && req.headers['content-type'].includes('json');
      const mode = this[RUNTIME].unpermitted;
      const policy = { unpermitted: mode, log: (keys: string[]) => req.log.warn({ unpermitted: keys }, `Unpermitted parameters: ${keys.join(', ')}`) };
      this._params = buildParams(req.query, req.body, req.params as Record<string, string>, isJson, policy);
    }
    return this._params;
  }

  /** The encrypted cookie session. */
  get session(): Session {
    if (!this._session) {
      const rt = this[RUNTIME];
      const raw = this.request.headers.cookie ? readCookie(this.request.headers.cookie, rt.sessionCookie.name) : undefined;
      this._session = new Session(rt.sessions.decode(raw));
    }
    return this._session;
  }

  /**
   * The signed-in user (through the app's `@Authenticator()`), or null. Resolved once per request, before
   * the action, when the request carries a cookie; set it after signing a user in during this request.
   */
  get currentUser(): any {
    return this._currentUser ?? null;
  }

  set currentUser(user: any) {
    this._currentUser = user ?? null;
  }

  /** Resolves `currentUser` through the app's authenticator (once per request; later calls answer the same). */
  async resolveCurrentUser(): Promise<any> {
    if (this._currentUser !== undefined) return this._currentUser;
    const auth = this[RUNTIME].auth;
    const user = auth ? await auth.resolve({ session: this.session, request: this.request }) : null;
    if (this._currentUser === undefined) this._currentUser = user ?? null;
    return this._currentUser;
  }

  get flash(): Flash {
    return (this._flash ??= new Flash(this.session));
  }

  /** `html` or `json`, from the path suffix or the Accept header. */
  get format(): Format | string {
    const fromPath = (this.request.params as Record<string, string> | undefined)?.format;
    return fromPath ?? requestFormat(this.request);
  }

  /** The app's path helpers (`this.paths.postPath(post)`). */
  get paths(): TypedPaths {
    return this[RUNTIME].paths as unknown as TypedPaths;
  }

  get log() {
    return this.request.log;
  }

  /** A fresh, masked CSRF token for this session (forms and meta tags use it). */
  csrfToken(): string {
    return maskedToken(this.session);
  }

  /** Writes the session cookie when the request changed the session. Called before any response is sent. */
  protected commitSession(): void {
    this._responded = true;
    if (this._flash) this._flash.persist(this.session);
    const s = this._session;
    if (!s || !s.dirty) return;
    const rt = this[RUNTIME];
    const secure = rt.sessionCookie.secure ? '; Secure' : '';
    this.reply.header('set-cookie', `${rt.sessionCookie.name}=${rt.sessions.encode(s.toJSON())}; Path=/; HttpOnly; SameSite=Lax${secure}`);
    s.dirty = false;
  }

  /**
   * Renders `app/views/<view>.hbs` (a bare name is looked up under this controller's folder) in the layout.
   * @example return this.render('posts/new', { post }, { status: 422 });
   */
  render(view: string, locals: Record<string, unknown> = {}, options: RenderOptions = {}): FastifyReply {
    const rt = this[RUNTIME];
    const controller = controllerName(this.constructor);
    const name = view.includes('/') ? view : `${controller}/${view}`;
    const layout = options.layout === undefined ? rt.views.layoutFor(controller) : options.layout;
    // The masked CSRF tokens differ on every render: the page's ETag is over the page without them, with the
    // session's CSRF secret in their place, so an unchanged page gets a 304 and keeps tokens that still verify.
    const tokens: string[] = [];
    const csrfToken = () => {
      const t = this.csrfToken();
      tokens.push(t);
      return t;
    };
    const html = rt.views.render(name, locals, { csrfToken, flash: this.flash.messages, currentUser: this._currentUser ?? null }, layout);
    this.commitSession();
    this.reply.type('text/html; charset=utf-8');
    for (const [k, v] of this[RUNTIME].headers.document) this.reply.header(k, v);
    // Sent as its UTF-8 bytes when long (pageBody): converted once for the tag, the length and the write.
    const body = pageBody(html);
    const tagged = () => {
      if (tokens.length === 0) return body;
      let page = html;
      for (const t of tokens) page = page.split(t).join('');
      return `${page}\0${String(this.session.get(CSRF_SESSION_KEY))}`;
    };
    return sendWithEtag(this.request, this.reply, options.status ?? 200, body, rt.send, tagged);
  }

  /**
   * Sends `data` as JSON. Records (and arrays of them) are written by their model's serializer, compiled at
   * boot from its fields: the text JSON.stringify gives through the model's toJSON (a model that overrides
   * toJSON is written through it). `etag: true` adds a weak ETag of the body and answers 304 to a client that
   * has it (a hash over the whole body on every request, so only when asked; `freshWhen` answers 304 before
   * the data is even loaded).
   */
  json(data: unknown, options: { status?: number; etag?: boolean } = {}): FastifyReply {
    this.commitSession();
    const reply = this.reply;
    reply.type('application/json; charset=utf-8');
    const body = jsonText(data);
    if (options.etag === true) return sendWithEtag(this.request, reply, options.status ?? 200, body, this[RUNTIME].send);
    reply.code(options.status ?? 200);
    return this[RUNTIME].send(this.request, reply, body);
  }

  /**
   * Conditional GET: sets ETag (from `etag`: a string, a record or an array) and Last-Modified, and when
   * the client's copy is current answers 304 and returns true: the action then returns without rendering.
   * @example if (this.freshWhen({ etag: post, lastModified: post.updatedAt })) return;
   */
  freshWhen(options: FreshnessOptions): boolean {
    const etag = options.etag !== undefined ? versionEtag(options.etag) : undefined;
    if (etag) this.reply.header('etag', etag);
    if (options.lastModified) this.reply.header('last-modified', options.lastModified.toUTCString());
    this.reply.header('cache-control', `${options.public ? 'public' : 'private'}, max-age=0, must-revalidate`);
    if (!isFresh(this.request, etag, options.lastModified)) return false;
    this.commitSession();
    this.reply.code(304).send();
    return true;
  }

  /** `Cache-Control: max-age=<seconds>`, private unless `public: true`. */
  expiresIn(seconds: number, options: { public?: boolean; immutable?: boolean } = {}): void {
    const parts = [options.public ? 'public' : 'private', `max-age=${Math.max(0, Math.floor(seconds))}`];
    if (options.immutable) parts.push('immutable');
    this.reply.header('cache-control', parts.join(', '));
  }

  /** `Cache-Control: no-store`: nothing may keep a copy. */
  noStore(): void {
    this.reply.header('cache-control', 'no-store');
  }

  /**
   * Streams server-sent events until `produce` returns or the client disconnects. Resume from
   * `stream.lastEventId` (the browser sends Last-Event-ID when it reconnects).
   * @example return this.sse(async (stream) => { for await (const e of feed(stream.lastEventId)) await stream.send(e); });
   */
  sse(produce: (stream: SseStream) => unknown): Promise<FastifyReply> {
    this.commitSession();
    return runSse(this.request, this.reply, produce, this[RUNTIME].sse);
  }

  /**
   * The request body as a stream, read as it arrives (routes declared with `stream: true`; other
   * routes have their body parsed already).
   */
  bodyStream(): Readable {
    return this.request.raw;
  }

  /** The Content-Type the client sent (also on `stream: true` routes, whose header is set aside). */
  get requestContentType(): string | undefined {
    return (this.request.raw as any)[BODY_CONTENT_TYPE] ?? this.request.headers['content-type'];
  }

  /**
   * Redirects (303 See Other by default, so a browser follows with GET after a form). Only to this app's
   * own host unless `allowOtherHost: true`: `redirectTo(this.params.returnTo)` cannot send a user to
   * another site (STRYKE_E_HTTP_UNSAFE_REDIRECT), and a location with a CR or LF is refused everywhere.
   */
  redirectTo(url: string, options: RedirectOptions = {}): FastifyReply {
    checkRedirect(url, this.request, options.allowOtherHost === true);
    if (options.notice) this.flash.set('notice', options.notice);
    if (options.alert) this.flash.set('alert', options.alert);
    this.commitSession();
    return this.reply.redirect(url, options.status ?? 303);
  }

  /** An empty response with a status. */
  head(status: number): FastifyReply {
    this.commitSession();
    return this.reply.code(status).send();
  }

  /** Answers 404 (throws; nothing after it runs). */
  notFound(message = 'Not Found'): never {
    throw notFoundError(message);
  }

  /** Runs the branch for the requested format; a missing branch answers 406. */
  async respondTo(branches: { html?: () => unknown; json?: () => unknown; [format: string]: (() => unknown) | undefined }): Promise<unknown> {
    const branch = branches[this.format];
    if (!branch) return this.head(406);
    return branch();
  }

  /** @internal turns an action's return value into the response. */
  finish(result: unknown): unknown {
    const reply = this.reply;
    if (this._responded || reply.sent) return reply;
    this.commitSession();
    if (result === undefined || result === null) return reply.code(204).send();
    const send = this[RUNTIME].send;
    if (typeof result === 'string' || Buffer.isBuffer(result)) return send(this.request, reply, result);
    if (typeof result === 'object') {
      // A stream is piped with backpressure; an async iterable (a generator) becomes one.
      if (result instanceof Readable) return send(this.request, reply, result);
      if (typeof (result as any).pipe === 'function') return reply.send(result);
      if (typeof (result as any)[Symbol.asyncIterator] === 'function') {
        if (!reply.hasHeader('content-type')) reply.type('application/octet-stream');
        return send(this.request, reply, Readable.from(result as AsyncIterable<unknown>, { objectMode: false }));
      }
      reply.type('application/json; charset=utf-8');
      return send(this.request, reply, jsonText(result));
    }
    return reply.send(result);
  }
}

function readCookie(header: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return p.slice(prefix.length);
  }
  return undefined;
}
