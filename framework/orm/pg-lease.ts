/**
 * PostgreSQL statements outside a transaction, on clients kept checked out of node-postgres's pool (the
 * one TypeORM's driver opened) rather than through `pool.query()`. Per call, `pool.query()` makes a promise,
 * queues a pending item and pulses its queue on the next tick, clears and re-arms an idle timer, adds and
 * removes an error listener, and pulses again on release; a client held here takes the query directly.
 *
 * - At most `limit` clients are held (half the pool's size): the rest of the pool serves TypeORM's query
 *   runners, transactions and migrations. With every held client busy, a statement goes to `pool.query()`
 *   as before. A client that finishes while the pool has callers waiting goes back to the pool.
 * - A held client that emits 'error' or ends is released to the pool with the error (the pool ends it) and
 *   forgotten; the statement it was running fails with that error. A statement's own error (an
 *   ErrorResponse from the server: a constraint, a syntax error) leaves the connection usable and the
 *   client held.
 * - A client unused for the pool's idle timeout goes back to the pool (whose own idle timer then applies).
 * - `close()` hands every client back; one still running a statement goes back when it finishes.
 */

export type PgCallback = (err: Error | null | undefined, result?: any) => void;

export interface PgLeasedClient {
  query(query: object, cb: PgCallback): unknown;
  release(err?: Error | boolean): void;
  on(event: 'error', fn: (err: Error) => void): unknown;
  removeListener(event: 'error', fn: (err: Error) => void): unknown;
  _queryable?: boolean;
  _ending?: boolean;
}

export interface PgLeasePool {
  query(query: object, cb: PgCallback): unknown;
  connect(cb: (err: Error | undefined, client: PgLeasedClient) => void): unknown;
  readonly waitingCount: number;
  ending?: boolean;
  options: { max?: number; idleTimeoutMillis?: number };
}

interface Held {
  client: PgLeasedClient;
  /** The running statement's callback; undefined while idle. */
  cb: PgCallback | undefined;
  /** Used since the last idle sweep. */
  used: boolean;
  dead: boolean;
  done: PgCallback;
  onError: (err: Error) => void;
}

/**
 * A server's error about the statement (a SQLSTATE outside the classes of connection exceptions, operator
 * intervention, insufficient resources, system and internal errors), on a connection still open.
 */
function statementError(err: unknown, client: PgLeasedClient): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.length === 5 && !/^(08|53|57|58|XX)/.test(code)
    && client._queryable !== false && !client._ending;
}

export class PgLease {
  /** Idle held clients; the last one used is taken first (the others then idle out). */
  private readonly free: Held[] = [];
  /** Clients held: idle, busy, or being checked out. */
  private count = 0;
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly pool: PgLeasePool, readonly limit = Math.floor((pool.options.max ?? 10) / 2)) {}

  /** How many clients are held now (idle, busy, or being checked out). */
  get size(): number {
    return this.count;
  }

  query(query: object, cb: PgCallback): void {
    const h = this.free.pop();
    if (h !== undefined) {
      this.send(h, query, cb);
      return;
    }
    if (this.closed || this.count >= this.limit || this.pool.ending) {
      this.pool.query(query, cb);
      return;
    }
    this.count++;
    this.pool.connect((err, client) => {
      if (err) {
        this.count--;
        cb(err);
        return;
      }
      const held: Held = { client, cb: undefined, used: true, dead: false, done: undefined!, onError: undefined! };
      held.done = (e, result) => this.finished(held, e, result);
      held.onError = (e) => this.lost(held, e);
      client.on('error', held.onError);
      // Closed meanwhile: the statement still runs on it (as it would have in the pool), then it goes back.
      if (!this.closed) this.sweeper ??= this.startSweeper();
      this.send(held, query, cb);
    });
  }

  private send(h: Held, query: object, cb: PgCallback): void {
    h.cb = cb;
    h.used = true;
    try {
      h.client.query(query, h.done);
    } catch (err) {
      h.cb = undefined;
      this.drop(h, err as Error);
      cb(err as Error);
    }
  }

  private finished(h: Held, err: Error | null | undefined, result: unknown): void {
    const cb = h.cb;
    if (cb === undefined) return; // already failed by the client's 'error'
    h.cb = undefined;
    if (err && !statementError(err, h.client)) this.drop(h, err);
    else if (this.closed || this.pool.waitingCount > 0) this.drop(h);
    else if (!h.dead) this.free.push(h);
    cb(err, result);
  }

  /** The client emitted 'error' (its connection broke): released with the error, its statement failed. */
  private lost(h: Held, err: Error): void {
    this.drop(h, err);
    const cb = h.cb;
    if (cb !== undefined) {
      h.cb = undefined;
      cb(err);
    }
  }

  /** Hands a client back to the pool: with an error the pool ends it. */
  private drop(h: Held, err?: Error): void {
    if (h.dead) return;
    h.dead = true;
    this.count--;
    const i = this.free.indexOf(h);
    if (i >= 0) this.free.splice(i, 1);
    h.client.removeListener('error', h.onError);
    // The pool puts its own error listener back as it takes the client.
    h.client.release(err ?? undefined);
  }

  private startSweeper(): NodeJS.Timeout {
    const ms = this.pool.options.idleTimeoutMillis || 10000;
    const t = setInterval(() => {
      for (const h of this.free.slice()) {
        if (!h.used) this.drop(h);
        else h.used = false;
      }
    }, ms);
    t.unref();
    return t;
  }

  /** Hands every idle client back now, and each busy one as its statement finishes. */
  close(): void {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const h of this.free.slice()) this.drop(h);
  }
}
