// Runs before each of BullMQ's test files (copied next to its tests/ by run.mjs). Like BullMQ's own
// vitest.postgres.setup.ts, it swaps the process-wide default backend factory for the backend under test,
// so every Queue, Worker, QueueEvents and FlowProducer the suite builds uses it whatever `connection` a test
// passes, and gives the suite an inert stand-in for the Redis client it constructs and `quit()`s.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setConnectionFactory } from './tests/utils/connection-factory';
import { setDefaultBackendFactory } from './src/utils/create-backend';

const backend = process.env.CONFORMANCE_BACKEND;
const requireFromRoot = createRequire(join(process.env.CONFORMANCE_ROOT, 'package.json'));

setConnectionFactory(() => {
  const client = {
    isCluster: false,
    status: 'ready',
    options: {},
    connect: async () => undefined,
    disconnect: () => undefined,
    quit: async () => 'OK',
    duplicate: () => client,
    on: () => client,
    once: () => client,
    off: () => client,
    removeListener: () => client,
    emit: () => false,
  };
  return client;
});

// The marker BullMQ's suite reads to skip the few tests about a raw, shared Redis connection (they wait for
// ioredis' `ready` event, which the stand-in above never emits). It means "not Redis" there.
process.env.BULLMQ_TEST_BACKEND = 'postgres';

if (backend === 'postgres') {
  const { createPostgresBackend } = requireFromRoot('bullmq');
  const url = process.env.CONFORMANCE_POSTGRES;
  // As BullMQ's own setup: one pooled connection, so concurrent adds keep their call order.
  setDefaultBackendFactory((name, opts, options) => createPostgresBackend(name, { ...opts, connection: { connectionString: url, max: 1, migrate: true } }, options));
} else {
  const jobs = requireFromRoot(join(process.env.CONFORMANCE_FRAMEWORK, 'jobs/backends.js'));
  if (backend === 'sqlite') {
    const filename = process.env.CONFORMANCE_SQLITE;
    setDefaultBackendFactory((name, opts, options) => jobs.createSqliteBackend(name, { ...opts, connection: { filename } }, options));
  } else {
    const url = process.env.CONFORMANCE_MYSQL;
    setDefaultBackendFactory((name, opts, options) => jobs.createMysqlBackend(name, { ...opts, connection: url }, options));
  }
}
