import { defineConfig } from 'vitest/config';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// The files of BullMQ's default `vitest.config.ts` run, less those that test Redis itself: the Redis client
// adapters, Lua script loading, cluster/connection internals and the `*.redis.test.ts` files.
export default defineConfig({
  test: {
    include: ['tests/*.test.ts'],
    exclude: [
      'tests/*.redis.test.ts',
      'tests/cluster.test.ts',
      'tests/connection.test.ts',
      'tests/sandboxed_process.test.ts',
      'tests/node-redis.test.ts',
      'tests/ioredis-client.test.ts',
      'tests/valkey-glide-client.test.ts',
      'tests/adapter-conformance.test.ts',
      'tests/bun-redis.test.ts',
      'tests/bun-adapter-suite.test.ts',
      'tests/script_loader.test.ts',
      'tests/scripts.test.ts',
      'tests/postgres-queue-backend.test.ts',
      'tests/postgres/**',
      'tests/debug-*.test.ts',
      'node_modules/**',
    ],
    testTimeout: 10000,
    hookTimeout: 10000,
    setupFiles: ['./setup.mjs'],
    globalSetup: [join(here, 'global-setup.mjs')],
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['default', ['json', { outputFile: join(here, 'results', `${process.env.CONFORMANCE_LABEL || process.env.CONFORMANCE_BACKEND}.json`) }]],
    globals: false,
  },
});
