/**
 * A worker process for the fault suites: `node worker-child.js <spec json> <queue> <log file> [worker options json]`.
 * Each job appends `start <id> <pid>` to the log, sleeps `data.ms`, then appends `done <id> <pid>`. The
 * optional last argument adds or overrides BullMQ Worker options (concurrency, maxStalledCount, ...).
 */
import { appendFileSync } from 'node:fs';
import { Worker } from 'bullmq';
import { factoryOf } from './targets';

const [specJson, queue, log, extra] = process.argv.slice(2) as [string, string, string, string | undefined];
const spec = JSON.parse(specJson) as { name: Parameters<typeof factoryOf>[0]; opts: Record<string, unknown> };

const worker = new Worker(
  queue,
  async (job) => {
    appendFileSync(log, `start ${job.id} ${process.pid}\n`);
    const ms = Number(job.data.ms ?? 0);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    appendFileSync(log, `done ${job.id} ${process.pid}\n`);
    return process.pid;
  },
  { ...spec.opts, lockDuration: 1000, stalledInterval: 500, drainDelay: 0.2, ...(extra ? JSON.parse(extra) : {}) } as any,
  factoryOf(spec.name) as any,
);
worker.on('ready', () => appendFileSync(log, `ready ${process.pid}\n`));
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
worker.on('error', (err) => console.error(`worker-child ${process.pid}: ${err.message}`));
