import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { createMysqlBackend } from 'stryke/jobs';
import { jobTarget, sleep, until, type JobTarget } from './targets';

/** A TCP proxy to MariaDB that can drop every connection and refuse new ones for a while. */
class Proxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(3306, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server!.address() as { port: number }).port;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

describe('jobs: the database unreachable for a while (MariaDB through a proxy)', () => {
  let target: JobTarget;
  const proxy = new Proxy();
  before(async () => {
    target = await jobTarget('mysql', 'outage');
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await target.cleanup();
  });

  it('workers report the outage, keep retrying, and finish every job once it is back', async (t) => {
    if (target.skip) return t.skip(target.skip);
    const direct = new Queue('outage', target.opts as any, createMysqlBackend as any);
    const proxied = { ...target.opts, connection: { ...target.opts.connection, port: proxy.port, connectTimeout: 1000 } };
    const errors: string[] = [];
    let done = 0;
    const worker = new Worker('outage', async () => void done++, { ...proxied, runRetryDelay: 200, drainDelay: 0.2, lockDuration: 3000, stalledInterval: 1000 } as any, createMysqlBackend as any);
    worker.on('error', (err) => errors.push(err.message));
    try {
      await direct.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'before', data: { i } })));
      await until('the first jobs', () => done === 5, 30_000);

      proxy.cut();
      await direct.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'during', data: { i } })));
      await until('the worker to notice', () => errors.length > 0, 30_000);
      await sleep(1500);
      assert.equal(done, 5, 'nothing runs while the database is unreachable');
      proxy.restore();

      await until('the jobs added during the outage', () => done >= 10, 60_000);
      // The processor's count moves before the completion is written (a write that met the outage is retried
      // on a fresh connection): wait for all ten to be recorded.
      await until('ten completions recorded', async () => (await direct.getJobCounts('completed')).completed === 10, 30_000);
    } finally {
      // Closed whatever happened above, so a failure cannot leave a worker polling (and the file hanging).
      proxy.restore();
      await Promise.race([Promise.all([worker.close(), direct.close()]), sleep(10_000)]);
    }
  });

  it('a job that finishes while the database is away is recorded as soon as it is back, without running again', async (t) => {
    if (target.skip) return t.skip(target.skip);
    const direct = new Queue('held', target.opts as any, createMysqlBackend as any);
    const proxied = { ...target.opts, connection: { ...target.opts.connection, port: proxy.port, connectTimeout: 1000 } };
    const errors: Array<{ message: string; code?: string }> = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    // Locks far longer than the test: stalled-job recovery cannot be what records the completion.
    const worker = new Worker('held', async () => {
      started++;
      await gate;
      return 'finished during the outage';
    }, { ...proxied, runRetryDelay: 200, drainDelay: 0.2, lockDuration: 60_000, stalledInterval: 60_000 } as any, createMysqlBackend as any);
    worker.on('error', (err) => errors.push({ message: err.message, code: (err as { code?: string }).code }));
    try {
      const job = await direct.add('held', {});
      await until('the job to start', () => started === 1, 30_000);
      proxy.cut();
      release();
      await until('the failed write to be reported', () => errors.some((e) => e.code === 'STRYKE_E_JOBS_FINISH_RETRY'), 30_000);
      const report = errors.find((e) => e.code === 'STRYKE_E_JOBS_FINISH_RETRY')!;
      assert.match(report.message, new RegExp(`finished job\\(s\\) ${job.id} of queue "held" .*writing again on a fresh connection in \\d+ ms`));
      await sleep(1000);
      assert.equal(await direct.getJobState(job.id!), 'active', 'not recorded while the database is unreachable');

      proxy.restore();
      const back = Date.now();
      await until('the completion to be recorded', async () => (await direct.getJobState(job.id!)) === 'completed', 10_000);
      const took = Date.now() - back;
      assert.ok(took < 10_000, `recorded ${took} ms after the database came back`);
      assert.equal((await direct.getJob(job.id!))?.returnvalue, 'finished during the outage');
      assert.equal(started, 1, 'the job ran once');
      t.diagnostic(`completion recorded ${took} ms after the database came back (lock: 60 s)`);
    } finally {
      proxy.restore();
      release();
      await Promise.race([Promise.all([worker.close(), direct.close()]), sleep(10_000)]);
    }
  });
});
