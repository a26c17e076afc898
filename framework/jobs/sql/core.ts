import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { IQueueBackend } from 'bullmq';
import type { SqlDriver } from './driver';
import { ANY_EVENTS, withTx, type Ctx } from './context';
import { hasReadyJob } from './claim';
import * as reads from './reads';
import { eventFields } from './rows';

/** How long a MySQL event id may stay invisible after allocation (its transaction's commit), in ms. */
const SETTLE_MS = 200;
/** How many event ids (of every queue) past its cursor a MySQL reader checks for gaps per read. */
const GAP_SCAN = 1000;
/** A shared locking read that fails at once on a lock it would wait for: MariaDB's spelling, then MySQL 8's. */
const FOR_SHARE = ' FOR SHARE NOWAIT';
let shareNoWait = ' LOCK IN SHARE MODE NOWAIT';

/**
 * The queue's waits run on the real clock, taken when this module loads: an app's test that fakes timers
 * (sinon, @sinonjs/fake-timers) and drives `Date` by hand still has its workers wake up and its events
 * delivered. What is due is still judged by `Date.now()`, the clock the app controls.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const monotonic = performance.now.bind(performance);

export interface SqlBackendOptions {
  /** Idle poll interval for work and events written by other processes (ms). */
  pollInterval: number;
  /** This backend is QueueEvents' (reads the event stream from where it was created). */
  blocking: boolean;
  /** Owns a reference on the driver (false for `forQueue` siblings). */
  owns: boolean;
  /**
   * A worker's or QueueEvents' name in the queue's client list (`getWorkers`, `getQueueEvents`): `<queue>`,
   * `<queue>:w:<worker name>` or `<queue>:qe`, as BullMQ names its Redis connections.
   */
  clientName?: string;
}

/** How often a listed client says it is still there, and when a silent one (a killed process) drops off the list, in ms. */
const CLIENT_HEARTBEAT = 5_000;
const CLIENT_TTL = 15_000;

/** Connection lifecycle, queue metadata, the event stream and the blocking waits of the SQL backend. */
export abstract class SqlBackendCore extends EventEmitter {
  protected readonly ctx: Ctx;
  protected readyPromise?: Promise<void>;
  protected closingPromise?: Promise<void>;
  protected cancelWait?: () => void;
  protected cancelEventWait?: () => void;
  protected blockingDisconnected = false;
  protected eventCursor?: string;
  private clientId?: string;
  private heartbeat?: NodeJS.Timeout;

  constructor(protected readonly driver: SqlDriver, readonly queueName: string, protected readonly opts: Record<string, any>, label: string, protected readonly settings: SqlBackendOptions) {
    super();
    this.ctx = { driver, queue: queueName, opts, label };
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  waitUntilReady(): Promise<void> {
    this.readyPromise ??= (async () => {
      await this.driver.ready();
      if (this.settings.blocking && this.eventCursor === undefined) this.eventCursor = await reads.startEventId(this.ctx);
      if (this.settings.clientName) await this.register(this.settings.clientName);
      this.emit('ready');
    })();
    return this.readyPromise;
  }

  get closing(): Promise<void> | undefined {
    return this.closingPromise;
  }

  close(_force?: boolean): Promise<void> {
    this.closingPromise ??= (async () => {
      this.cancelWait?.();
      this.cancelEventWait?.();
      await this.unregister();
      if (this.settings.owns) await this.driver.release();
      this.emit('close');
    })();
    return this.closingPromise;
  }

  async disconnect(): Promise<void> {
    this.cancelWait?.();
    this.cancelEventWait?.();
  }

  /** Names this worker or QueueEvents in the queue's client list. */
  async setName(name: string): Promise<void> {
    await this.ready();
    await this.register(name);
  }

  /** Lists this backend's worker or QueueEvents (one row, refreshed every few seconds until close). */
  private async register(name: string): Promise<void> {
    this.clientId ??= randomUUID();
    const sql = this.driver.upsert('stryke_job_clients', ['queue', 'client_id', 'name', 'seen_at'], ['queue', 'client_id'], ['name', 'seen_at']);
    await this.driver.run(sql, [this.queueName, this.clientId, name, Date.now()]);
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      this.driver.run('UPDATE stryke_job_clients SET seen_at = ? WHERE queue = ? AND client_id = ?', [Date.now(), this.queueName, this.clientId]).catch((err) => this.emit('error', err));
    }, CLIENT_HEARTBEAT);
    this.heartbeat.unref();
  }

  private async unregister(): Promise<void> {
    if (!this.clientId) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const id = this.clientId;
    this.clientId = undefined;
    await this.driver.run('DELETE FROM stryke_job_clients WHERE queue = ? AND client_id = ?', [this.queueName, id]).catch(() => undefined);
  }

  /** The queue's listed workers and QueueEvents, as Redis' CLIENT LIST lines (`name=...`) BullMQ parses. */
  async getClientList(): Promise<string[]> {
    await this.ready();
    const rows = await this.driver.all<{ name: string }>('SELECT name FROM stryke_job_clients WHERE queue = ? AND seen_at > ? ORDER BY client_id', [this.queueName, Date.now() - CLIENT_TTL]);
    return [rows.map((r) => `name=${r.name}`).join('\n')];
  }

  get minimumBlockTimeout(): number {
    return 0.001;
  }

  get maximumBlockTimeout(): number {
    return 10;
  }

  get qualifiedName(): string {
    return this.queueName;
  }

  get keys(): IQueueBackend['keys'] {
    return {} as IQueueBackend['keys'];
  }

  toKey(type: string): string {
    return `${this.queueName}:${type}`;
  }

  parseNodeKey(key: string): { prefix: string; queueName: string; id: string } {
    const i = key.lastIndexOf(':');
    return { prefix: '', queueName: key.slice(0, i), id: key.slice(i + 1) };
  }

  clientName(suffix = ''): string {
    return `${this.queueName}${suffix}`;
  }

  protected async ready(): Promise<void> {
    await this.waitUntilReady();
  }

  // ---- queue metadata, rate limits, events ------------------------------------------------------

  async setQueueMeta(values: Record<string, string | number>): Promise<number> {
    await this.ready();
    return reads.setMetaFields(this.ctx, values);
  }

  async getQueueMetaField(field: string): Promise<string | null> {
    return (await this.getQueueMetaFields([field]))[0] ?? null;
  }

  async getQueueMetaFields(fields: string[]): Promise<(string | null)[]> {
    const meta = await this.getQueueMeta();
    return fields.map((f) => meta[f] ?? null);
  }

  async getQueueMeta(): Promise<Record<string, string>> {
    await this.ready();
    return reads.getMetaAll(this.ctx);
  }

  removeQueueMetaFields(fields: string[]): Promise<number> {
    return reads.removeMetaFields(this.ctx, fields);
  }

  async hasQueueMetaField(field: string): Promise<boolean> {
    return (await this.getQueueMetaField(field)) !== null;
  }

  async setRateLimit(expireTimeMs: number): Promise<void> {
    await reads.setMetaFields(this.ctx, { limiter: `${Number.MAX_SAFE_INTEGER}:${Date.now() + expireTimeMs}` });
  }

  removeRateLimitKey(): Promise<number> {
    return reads.removeMetaFields(this.ctx, ['limiter']);
  }

  /** The deprecated key is a Redis-era priority counter; SQL queues never had it. */
  async removeDeprecatedPriorityKey(): Promise<number> {
    return 0;
  }

  trimEvents(maxLength: number): Promise<number> {
    return reads.trimEvents(this.ctx, maxLength);
  }

  async publishEvent(fields: Record<string, string | number>, _maxEvents: number): Promise<string> {
    await this.ready();
    const { event, ...rest } = fields;
    await withTx(this.ctx, async (_x, fx) => {
      fx.events.push([String(event), rest]);
    });
    return reads.lastEventId(this.ctx);
  }

  /**
   * Stream entries after `id` (XREAD-shaped), waiting up to `blockTimeout` ms. On MySQL an event id is
   * allocated before its transaction commits, so ids may become visible out of order: the reader only
   * returns ids up to the highest one it saw at least `SETTLE_MS` ago, by when those transactions ended.
   */
  async readEvents(id: string, blockTimeout: number): Promise<any> {
    try {
      return await this.readEventsOnce(id, blockTimeout);
    } catch (err) {
      // Closed while a read was in flight (its connection released under it): the reader is done, not failing.
      if (this.closingPromise) return null;
      throw err;
    }
  }

  private async readEventsOnce(id: string, blockTimeout: number): Promise<any> {
    if (this.closingPromise) return null;
    await this.ready();
    const base = id === '$' ? (this.eventCursor ??= await reads.startEventId(this.ctx)) : id;
    const fetch = async () => {
      // A read that found none of this queue's events up to a watermark need not look there again (nor
      // check other queues' ids there for gaps): the next read with the same cursor starts at that watermark.
      const cursor = this.scanned?.after === base ? this.scanned.upTo : base;
      const upTo = await this.eventWatermark(cursor);
      const events = await reads.eventsAfter(this.ctx, cursor, upTo);
      if (events.length === 0 && upTo !== undefined && upTo > (Number(cursor.split('-')[0]) || 0)) this.scanned = { after: base, upTo: String(upTo) };
      return events;
    };
    let events = await fetch();
    if (events.length === 0) {
      if (this.closingPromise) return null; // closed during that read: no wait to cancel was set yet
      // The read that finds events is the one returned (reading again cost a round of statements more).
      const found = await this.waitFor('events', blockTimeout || 5000, async () => {
          const got = await fetch();
          if (got.length > 0) events = got; // a check still in flight when another found events must not blank them
          return got.length > 0;
        }, (c) => (this.cancelEventWait = c));
      if (!found || this.closingPromise) return null;
    }
    if (events.length === 0) return null;
    if (id === '$') this.eventCursor = String(events[events.length - 1]!.id);
    return [['events', events.map((e) => [String(e.id), eventFields(e.event, e.data)])]];
  }

  /** How far an empty read of this reader got past the cursor `after` (MySQL). */
  private scanned?: { after: string; upTo: string };
  /** MySQL: the last read found an id gap it holds events back for (see `eventWatermark`). */
  private heldByGap = false;
  private readonly seenTops: Array<{ at: number; id: number }> = [];

  /**
   * MySQL: the highest event id every transaction at or below which has ended. Ids are one counter for every
   * queue, so when the ids after the cursor are all present (no gap) up to some id, all of those are committed
   * and readable at once; a gap (a transaction still committing, or one rolled back) holds the reader until
   * the ids it saw have been visible for `SETTLE_MS`, or until a transaction of this process that wrote events
   * commits (it may be the one the gap waits for: see `waitFor`).
   */
  private async eventWatermark(cursor: string): Promise<number | undefined> {
    if (this.driver.dialect !== 'mysql') return undefined;
    const now = monotonic();
    const from = Number(cursor.split('-')[0]) || 0;
    const [[top], next] = await Promise.all([
      this.driver.all<{ id: number | null }>('SELECT MAX(id) AS id FROM stryke_job_events WHERE queue = ?', [this.queueName]),
      this.driver.all<{ id: number }>(`SELECT id FROM stryke_job_events WHERE id > ? ORDER BY id LIMIT ${GAP_SCAN}`, [from]),
    ]);
    let contiguous = from;
    for (const r of next) {
      if (Number(r.id) !== contiguous + 1) break;
      contiguous++;
    }
    this.seenTops.push({ at: now, id: Number(top?.id ?? 0) });
    let settled = 0;
    while (this.seenTops.length > 1 && this.seenTops[1]!.at <= now - SETTLE_MS) this.seenTops.shift();
    if (this.seenTops[0]!.at <= now - SETTLE_MS) settled = this.seenTops[0]!.id;
    let mark = Math.max(contiguous, settled);
    const last = Number(top?.id ?? 0);
    if (last > mark && next.length < GAP_SCAN && (await this.gapsEnded(mark, last))) mark = last;
    this.heldByGap = last > mark;
    return mark;
  }

  /**
   * MySQL: whether every transaction that took an event id in (`after`, `upTo`] has ended, so the ids missing
   * there are rows deleted (a trim, another queue obliterated) or rolled back, never to appear. A row a
   * transaction inserted and has not committed carries its lock: a locking read that refuses to wait fails
   * on it (and locks what it reads only for its own autocommit statement). Without this, a gap of deleted
   * ids held the reader for `SETTLE_MS` like a transaction still committing. Shared locks, so readers probing
   * at once do not fail on each other. (An id its statement has taken but whose row InnoDB has not yet put in
   * the index, a few instructions later, has no lock to find: a window of microseconds, against the 200 ms hold.)
   */
  private async gapsEnded(after: number, upTo: number): Promise<boolean> {
    try {
      await this.driver.all(`SELECT id FROM stryke_job_events WHERE id > ? AND id <= ?${shareNoWait}`, [after, upTo]);
      return true;
    } catch (err) {
      // MySQL 8 spells it FOR SHARE NOWAIT (MariaDB has only LOCK IN SHARE MODE NOWAIT).
      if ((err as { errno?: number }).errno === 1064 && shareNoWait !== FOR_SHARE) {
        shareNoWait = FOR_SHARE;
        return this.gapsEnded(after, upTo);
      }
      return false;
    }
  }

  /** MySQL, held by a gap: ms until the next id this reader saw has been visible for `SETTLE_MS` (when to look again). */
  private settlesIn(): number {
    if (!this.heldByGap) return Infinity;
    const now = monotonic();
    const next = this.seenTops.find((t) => t.at > now - SETTLE_MS);
    return next ? Math.max(next.at + SETTLE_MS - now, 0) + 1 : Infinity;
  }

  /** Whether an active job's lock has expired (its worker died or hung): a worker's stalled-job check would recover it. */
  async hasStalledJob(): Promise<boolean> {
    await this.ready();
    const rows = await this.driver.all("SELECT id FROM stryke_jobs WHERE queue = ? AND state = 'active' AND locked_until < ? LIMIT 1", [this.queueName, Date.now()]);
    return rows.length > 0;
  }

  async waitForJob(blockTimeout: number): Promise<{ member: string; score: number } | null> {
    if (this.closingPromise || this.blockingDisconnected) return null;
    await this.ready();
    // A close (BullMQ's worker disconnects the blocking wait, then awaits its main loop) may have come while
    // this waited for `ready`: with no wait to cancel yet, it would otherwise wait out the whole block timeout.
    if (this.closingPromise || this.blockingDisconnected) return null;
    const found = await this.waitFor('jobs', Math.max(blockTimeout, 0) * 1000, () => hasReadyJob(this.ctx, Date.now()), (c) => (this.cancelWait = c));
    return found ? { member: this.queueName, score: 0 } : null;
  }

  async disconnectBlocking(): Promise<void> {
    this.blockingDisconnected = true;
    this.cancelWait?.();
  }

  async reconnectBlocking(): Promise<void> {
    this.blockingDisconnected = false;
  }

  /**
   * Waits up to `timeout` ms until `check` is true: at once when this process signals the queue on the
   * bus, else every poll interval (work written by other processes). Resolves false on timeout/cancel.
   */
  private waitFor(kind: 'jobs' | 'events', timeout: number, check: () => Promise<boolean>, setCancel: (c: (() => void) | undefined) => void): Promise<boolean> {
    return new Promise((resolve) => {
      const deadline = monotonic() + timeout;
      const channel = `${kind}:${this.queueName}`;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      // A reader held by an id gap looks again whenever a transaction of this process that wrote events (of
      // any queue) commits: the gap may have been that transaction.
      const anyEvents = () => {
        if (this.heldByGap) poll();
      };
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        realClearTimeout(timer);
        this.driver.bus.off(channel, poll);
        this.driver.bus.off(ANY_EVENTS, anyEvents);
        setCancel(undefined);
        resolve(value);
      };
      const poll = () => {
        realClearTimeout(timer);
        if (done) return;
        check().then(
          (ok) => {
            if (ok) return finish(true);
            const left = deadline - monotonic();
            if (left <= 0) return finish(false);
            if (!done) timer = realSetTimeout(poll, Math.min(this.settings.pollInterval, left, kind === 'events' ? this.settlesIn() : Infinity));
          },
          (err) => {
            this.emit('error', err);
            finish(false);
          },
        );
      };
      setCancel(() => finish(false));
      this.driver.bus.on(channel, poll);
      if (kind === 'events') this.driver.bus.on(ANY_EVENTS, anyEvents);
      poll();
    });
  }
}
