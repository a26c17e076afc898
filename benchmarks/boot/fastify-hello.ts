/**
 * The peer of benchmarks/boot: a bare fastify hello world. `cluster` (argv[3]): a primary that forks one worker
 * (SCHED_NONE, as `stryke start` sets it) and replaces nothing; `single`: one process. Listens on argv[2].
 */
import cluster from 'node:cluster';

const port = Number(process.argv[2]);
const shape = process.argv[3] ?? 'cluster';

if (shape === 'cluster' && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fastify = require('fastify') as typeof import('fastify').default;
  const app = fastify({ logger: false });
  app.get('/', async () => 'Hello, World!');
  app.listen({ port, host: '127.0.0.1' }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
