import cluster, { type Worker } from 'node:cluster';
import type { BootProblem } from './boot-error';
import { DEV_STANDBY_ENV, DEV_WORKER_ENV } from './worker';

/** What a worker reports once it has booted the app (or failed to, holding the error to show). */
interface Booted {
  failed?: boolean;
  bootMs?: number;
}

/** The worker's next `{ type }` message; undefined if it exits first. */
function reply<T>(w: Worker, type: string): Promise<T | undefined> {
  return new Promise((done) => {
    const onMessage = (m: any) => {
      if (m?.type !== type) return;
      w.off('message', onMessage);
      w.off('exit', onExit);
      done(m as T);
    };
    const onExit = () => {
      w.off('message', onMessage);
      done(undefined);
    };
    w.on('message', onMessage);
    w.once('exit', onExit);
  });
}

export interface SwapperOptions {
  root: string;
  /** The stryke CLI script the workers run (`stryke server`). */
  bin: string;
  port: number;
  host: string;
  log: (line: string) => void;
}

/**
 * The worker side of `stryke dev`: a primary that holds the listening socket and one worker that serves.
 * Every worker starts as a spare (framework loaded, waiting for `stryke:boot`); a swap boots a new worker
 * beside the serving one and retires the old one once the new one listens, so no request is refused.
 * What the compiler and the watcher found (`problem`, `generation`, `compileMs`) is set on it.
 */
export class WorkerSwapper {
  /** The compile error being shown, if any: a swap boots its page instead of the app. */
  problem: BootProblem | undefined;
  /** Counts changes under the watched folders; a worker booted before the latest one is stale. */
  generation = 0;
  /** How long the compiler's last pass took, logged with the next swap. */
  compileMs: number | undefined;
  private current: Worker | undefined;
  private pending: { reason: string; at: number } | undefined;
  private running = false;
  private closed = false;
  /** Whether the serving worker runs the app (not an error page). */
  private healthy = false;
  private spare: { worker: Worker; standing: Promise<boolean> } | undefined;
  /**
   * The worker booting the app from a change ahead of the compiler's verdict: a changed .ts file is
   * transpiled into build/ at once (no type-check), and a spare boots from it while the compiler checks
   * the program. A clean verdict for the same generation of changes swaps it in; anything else retires it.
   */
  private booting: { worker: Worker; booted: Promise<Booted | undefined>; generation: number } | undefined;
  private viewRequests = 0;
  /** Where `stryke dev` prints what it did. */
  readonly log: (line: string) => void;

  constructor(options: SwapperOptions) {
    this.log = options.log;
    // Workers accept from the shared socket themselves (not round-robin through this process): a connection
    // the primary handed to a worker as it exits would otherwise be lost, and its request hang. One worker
    // serves at a time, so there is nothing to balance.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({
      exec: options.bin,
      args: ['server', '--root', options.root, '--no-build', '--port', String(options.port), '--host', options.host],
    });
    cluster.on('exit', (w, code, signal) => {
      if (this.closed || (w as any).strykeRetired || w !== this.current) return;
      this.log(`stryke dev: the worker died (${signal ?? `exit ${code}`}); starting another`);
      this.current = undefined;
      void this.replace('restart after a crash', Date.now());
    });
  }

  /** Whether a swap is under way (a change now waits for it). */
  get swapping(): boolean {
    return this.running;
  }

  /** Whether views can be recompiled in place: a healthy worker serves and no swap is under way. */
  get canRecompileViews(): boolean {
    return this.current !== undefined && !this.running && this.healthy;
  }

  private fork() {
    const w = cluster.fork({ STRYKE_ENV: process.env.STRYKE_ENV, STRYKE_LIVE_RELOAD: '1', [DEV_WORKER_ENV]: '1', [DEV_STANDBY_ENV]: '1' });
    return { worker: w, standing: reply<unknown>(w, 'stryke:standby').then((m) => m !== undefined) };
  }

  /** Starts a spare when there is none (at start it loads the framework while the first compile runs). */
  prepareSpare(): void {
    if (!this.closed && (!this.spare || this.spare.worker.isDead())) this.spare = this.fork();
  }

  /** The spare, standing by (a fresh one if it died); undefined if no worker gets that far. */
  private async takeSpare(): Promise<Worker | undefined> {
    let next = this.spare && !this.spare.worker.isDead() ? this.spare : this.fork();
    this.spare = undefined;
    if (!(await next.standing)) next = this.fork(); // the spare died: start over once
    return (await next.standing) ? next.worker : undefined;
  }

  /** Tells a standing worker to boot the app (or to prepare `problem`'s page) without listening yet. */
  private boot(w: Worker, problem?: BootProblem): Promise<Booted | undefined> {
    const booted = reply<Booted>(w, 'stryke:booted');
    w.send({ type: 'stryke:boot', problem });
    return booted;
  }

  /** Retires the worker booting ahead, if any (its code is stale). */
  discardBooting(): void {
    if (this.booting) void this.retire(this.booting.worker);
    this.booting = undefined;
  }

  /** Boots the spare from JavaScript written ahead for change `gen`, while the compiler checks the program. */
  bootAhead(gen: number): void {
    const s = this.spare;
    if (this.running || this.closed) return;
    if (!s || s.worker.isDead()) {
      // Changes in quick succession used the spare: drop the stale early boot, start loading the next spare.
      this.discardBooting();
      this.prepareSpare();
      return;
    }
    this.spare = undefined;
    this.discardBooting();
    this.booting = { worker: s.worker, booted: s.standing.then((up) => (up ? this.boot(s.worker) : undefined)), generation: gen };
  }

  private retire(w: Worker): Promise<void> {
    return new Promise<void>((done) => {
      if (w.isDead()) return done();
      const timer = setTimeout(() => w.process.kill('SIGKILL'), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      (w as any).strykeRetired = true;
      try {
        w.send('stryke:shutdown');
      } catch {
        w.process.kill('SIGKILL'); // its channel is gone already
      }
    });
  }

  /**
   * Puts a worker with the current code (or the current problem's page) in front, then retires the old
   * one. Changes arriving meanwhile coalesce into one more.
   */
  async replace(reason: string, at: number): Promise<void> {
    if (this.running) {
      this.pending = { reason, at: this.pending?.at ?? at };
      return;
    }
    this.running = true;
    const compiled = this.compileMs === undefined ? '' : `compile ${this.compileMs} ms, `;
    this.compileMs = undefined;
    try {
      const old = this.current;
      const shown = this.problem;
      let fresh: Worker | undefined;
      let booted: Booted | undefined;
      const ahead = this.booting && this.booting.generation === this.generation && !this.booting.worker.isDead() ? this.booting : undefined;
      if (ahead) {
        this.booting = undefined;
        booted = await ahead.booted;
        if (booted) fresh = ahead.worker;
      }
      this.discardBooting();
      if (!fresh) {
        fresh = await this.takeSpare();
        booted = fresh && (await this.boot(fresh, shown));
      }
      if (this.closed) return;
      if (!fresh || !booted) {
        this.log('stryke dev: the new worker exited before listening; the previous one keeps serving. Watching for changes...');
        return;
      }
      const result = await this.listen(fresh, shown);
      if (this.closed) return;
      if (!result) {
        this.log('stryke dev: the new worker exited before listening; the previous one keeps serving. Watching for changes...');
        return;
      }
      this.current = fresh;
      this.healthy = !result.failed;
      const ms = Date.now() - at;
      if (old) await this.retire(old);
      if (result.failed) this.log(`stryke dev: serving the error page (${reason}). Watching for changes...`);
      else this.log(`stryke dev: ${reason}: live in ${ms} ms (${compiled}worker boot ${Math.round(booted.bootMs ?? 0)} ms${ahead ? ', booted during the compile' : ''})`);
    } finally {
      this.running = false;
      this.prepareSpare();
      if (this.pending && !this.closed) {
        const next = this.pending;
        this.pending = undefined;
        void this.replace(next.reason, next.at);
      }
    }
  }

  /** Tells a booted worker to take connections: the app, or `problem`'s page. */
  private listen(w: Worker, problem?: BootProblem): Promise<{ failed?: boolean } | undefined> {
    const ready = reply<{ failed?: boolean }>(w, 'stryke:ready');
    w.send({ type: 'stryke:listen', problem });
    return ready;
  }

  /** A view changed: the serving worker recompiles its templates in place, then browsers reload. */
  async recompileViews(file: string, at: number): Promise<void> {
    const w = this.current;
    if (!w || w.isDead() || this.running || !this.healthy) return this.replace(`${file} changed`, at);
    const id = ++this.viewRequests;
    const ok = await new Promise<boolean>((done) => {
      const onMessage = (m: any) => {
        if (m?.type !== 'stryke:views-done' || m.id !== id) return;
        w.off('message', onMessage);
        w.off('exit', onExit);
        done(!!m.ok);
      };
      const onExit = () => done(false);
      w.on('message', onMessage);
      w.once('exit', onExit);
      setTimeout(() => done(false), 3000).unref();
      w.send({ type: 'stryke:views', id });
    });
    if (!ok) return this.replace(`${file} changed`, at); // a template error: the new worker's boot shows it
    w.send({ type: 'stryke:reload', file });
    this.log(`stryke dev: ${file} changed: views recompiled, live in ${Date.now() - at} ms`);
  }

  /** A file under public/ changed: the serving worker tells the browsers to reload. */
  reloadBrowsers(file: string): void {
    this.current?.send({ type: 'stryke:reload', file });
  }

  /** Stops swapping and retires every worker. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.spare) (this.spare.worker as any).strykeRetired = true;
    await Promise.all(Object.values(cluster.workers ?? {}).map((w) => this.retire(w!)));
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
