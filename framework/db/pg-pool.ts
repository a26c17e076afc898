/**
 * A small pool of node-postgres `Client`s, owned by stryke rather than borrowed from `pg.Pool`. Why not
 * `pg.Pool`: a statement outside a transaction took a client out of it and back per statement (a promise,
 * a queued item, a pulse on the next tick, an idle timer re-armed, an error listener added and removed),
 * which measured as a real share of a model read; the code that avoided it held clients out of the pool and
 * had to read the pool's and client's private fields (`_queryable`, `_ending`) to know whether a client was
 * still usable, and kept idle clients from callers waiting on the pool. This pool uses only `Client`'s
 * public API (`connect`, `query(config, callback)`, `end`, its `error` and `end` events) and:
 *
 * - hands an idle client over synchronously (the last used first), so a statement costs one callback;
 * - gives a released client straight to the oldest caller waiting, if any (never held idle while one waits);
 * - times out a connect (`connect_timeout`), a wait for a free client (`acquire_timeout`: a coded 503) and
 *   a statement (`statement_timeout`: the server cancels it, and the client gives up `query_timeout` one
 *   second later when the server does not answer at all);
 * - ends a client whose connection broke, or whose error is not the statement's own (a SQLSTATE of the
 *   connection, operator-intervention, resource, system or internal classes, or none at all);
 * - ends clients idle for `idleTimeout`.
 */
import { DbErrors } from './errors';

export type PgCallback = (err: Error | null, result?: any) => void;

/** The part of node-postgres's Client this pool uses. */
interface PgClient {
  connect(cb: (err: Error | null) => void): void;
  query(config: object, cb: PgCallback): void;
  end(cb?: (err?: Error) => void): unknown;
  on(event: 'error' | 'end', fn: (err?: Error) => void): unknown;
}

export interface PgSlot {
  readonly client: PgClient;
  dead: boolean;
  /** Used since the last idle sweep. */
  used: boolean;
}

interface Waiter {
  cb: (err: Error | null, slot?: PgSlot) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface PgPoolOptions {
  /** The Client's connection settings (host, port, user, password, database, and the timeouts). */
  client: Record<string, unknown>;
  max: number;
  acquireMs: number;
  idleMs: number;
}

/** Whether a failed statement left its connection unusable (or in doubt): the client is then ended. */
export function connectionBroken(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return !(typeof code === 'string' && code.length === 5 && !/^(08|53|57|58|XX)/.test(code));
}

export class PgPool {
  private readonly idle: PgSlot[] = [];
  private readonly waiters: Waiter[] = [];
  /** Clients open or opening. */
  private total = 0;
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly Client: new (config: object) => PgClient;

  constructor(pg: { Client: new (config: object) => PgClient }, private readonly options: PgPoolOptions) {
    this.Client = pg.Client;
  }

  /** Clients open or opening, idle ones, and callers waiting for one. */
  stats(): { total: number; idle: number; in_use: number; waiting: number } {
    return { total: this.total, idle: this.idle.length, in_use: this.total - this.idle.length, waiting: this.waiters.length };
  }

  /** A client for the caller: an idle one at once (synchronously), a new one, or the next one released. */
  acquire(cb: (err: Error | null, slot?: PgSlot) => void): void {
    const slot = this.idle.pop();
    if (slot !== undefined) {
      slot.used = true;
      cb(null, slot);
      return;
    }
    if (this.closed) return cb(DbErrors.CLOSED());
    if (this.total < this.options.max) return this.open(cb);
    const ms = this.options.acquireMs;
    const waiter: Waiter = { cb, timer: undefined };
    if (ms > 0) {
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        cb(DbErrors.ACQUIRE_TIMEOUT('PostgreSQL', ms));
      }, ms);
    }
    this.waiters.push(waiter);
  }

  acquireAsync(): Promise<PgSlot> {
    return new Promise((resolve, reject) => this.acquire((err, slot) => (err ? reject(err) : resolve(slot!))));
  }

  /** Runs one statement on a client of the pool. */
  query(config: object, cb: PgCallback): void {
    this.acquire((err, slot) => {
      if (err) return cb(err);
      try {
        slot!.client.query(config, (e, result) => {
          this.release(slot!, e ? connectionBroken(e) : false);
          cb(e, result);
        });
      } catch (e) {
        this.release(slot!, true);
        cb(e as Error);
      }
    });
  }

  /** Gives a client back: to the oldest waiter, else idle; `broken` (or a dead connection, or closing) ends it. */
  release(slot: PgSlot, broken = false): void {
    if (broken || slot.dead || this.closed) {
      this.destroy(slot);
      this.openForWaiter();
      return;
    }
    const w = this.waiters.shift();
    if (w !== undefined) {
      if (w.timer) clearTimeout(w.timer);
      slot.used = true;
      w.cb(null, slot);
      return;
    }
    this.idle.push(slot);
  }

  /** A place is free (a client ended, or a connect failed): the oldest caller waiting gets a new client. */
  private openForWaiter(): void {
    if (this.closed || this.waiters.length === 0 || this.total >= this.options.max) return;
    const w = this.waiters.shift()!;
    if (w.timer) clearTimeout(w.timer);
    this.open(w.cb);
  }

  private open(cb: (err: Error | null, slot?: PgSlot) => void): void {
    this.total++;
    const client = new this.Client(this.options.client);
    const slot: PgSlot = { client, dead: false, used: true };
    const gone = () => {
      if (slot.dead) return;
      slot.dead = true;
      const i = this.idle.indexOf(slot);
      if (i >= 0) {
        // Broke while idle (a backend terminated, a server restart): forgotten now, ended quietly.
        this.idle.splice(i, 1);
        this.total--;
        client.end(() => {});
      }
    };
    // A connection error while idle is reported here, not thrown at the process.
    client.on('error', gone);
    client.on('end', gone);
    client.connect((err) => {
      if (err) {
        slot.dead = true;
        this.total--;
        cb(err);
        // The callers queued meanwhile each get their own try (an error at once, not acquire_timeout, while
        // the server refuses; a client as soon as it answers again).
        this.openForWaiter();
        return;
      }
      if (!this.closed) this.sweeper ??= this.startSweeper();
      cb(null, slot);
    });
  }

  private destroy(slot: PgSlot): void {
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    if (!slot.dead) {
      slot.dead = true;
      this.total--;
      slot.client.end(() => {});
    } else if (i < 0) {
      // Died while busy: its place is counted until now.
      this.total--;
    }
  }

  private startSweeper(): NodeJS.Timeout {
    const t = setInterval(() => {
      for (const s of this.idle.slice()) {
        if (!s.used) this.destroy(s);
        else s.used = false;
      }
    }, this.options.idleMs);
    t.unref();
    return t;
  }

  /** Ends idle clients now and each busy one as it comes back; callers still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.cb(DbErrors.CLOSED());
    }
    // Each end waits for the server's goodbye, at most a moment (a server that stopped answering never says it).
    const ends = this.idle.splice(0).map((s) => {
      s.dead = true;
      this.total--;
      return new Promise<void>((r) => {
        const t = setTimeout(r, 2000);
        t.unref();
        s.client.end(() => {
          clearTimeout(t);
          r();
        });
      });
    });
    await Promise.all(ends);
    // Busy clients end as they are released; wait for them (a statement running at close finishes first).
    for (let i = 0; this.total > 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
  }
}
