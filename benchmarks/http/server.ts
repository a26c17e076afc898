/**
 * One benchmark server process: `node server.js stryke|fastify|fastify-pino <port>`. The fastify peer answers
 * the same two routes the way a bare fastify app would (`fastify-pino`: with its logger on at `warn`). The
 * `stryke` kind here is the in-process path (`createApp`, no logger); users' path is `stryke start` from a
 * `stryke build` (benchmarks/production.ts).
 */
import { join } from 'node:path';
import fastify from 'fastify';
import { createApp } from 'stryke';
import { trace } from '@opentelemetry/api';
import { RecordingProvider } from './recording-tracer';

async function main() {
  const [kind, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  if (kind === 'fastify' || kind === 'fastify-pino') {
    // The peer as fairly configured: its logger off, or (fastify-pino) pino at stryke's production level.
    const app = fastify({ logger: kind === 'fastify-pino' ? { level: 'warn' } : false });
    app.get('/plaintext', (_req, reply) => {
      reply.header('content-type', 'text/plain');
      return 'Hello, World!';
    });
    app.get('/json', () => ({ message: 'Hello, World!' }));
    const n = Number(process.env.BENCH_ROUTES ?? 0);
    for (let i = 0; i < n; i++) app.get(`/r${i}/:id`, (_req, reply) => reply.type('text/plain').send('Hello, World!'));
    await app.listen({ port, host: '127.0.0.1' });
  } else {
    // `stryke-metrics`: the same app with `[metrics] enabled = true` (its own port), for metrics.ts.
    // `stryke-tracing`: the same app with a TracerProvider registered before boot (recording-tracer.ts).
    if (kind === 'stryke-tracing') trace.setGlobalTracerProvider(new RecordingProvider());
    if (kind === 'stryke-metrics') Object.assign(process.env, { STRYKE_SERVER__METRICS__ENABLED: 'true', STRYKE_SERVER__METRICS__PORT: '0' });
    const root = join(__dirname, '..', '..', '..', 'benchmarks', 'http', 'app');
    const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false });
    await app.listen(port, '127.0.0.1');
  }
  process.send?.('ready');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
