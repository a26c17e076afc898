/**
 * Preloaded (`node -r`) into a `stryke start` primary by callgrind-server.ts: the primary runs at full speed
 * and forks its workers through a wrapper that starts them under valgrind's callgrind (cluster forks
 * `process.execPath`). The worker gets the same preload and leaves it alone. Everything else is `stryke start`
 * as production runs it.
 */
import cluster from 'node:cluster';

if (cluster.isPrimary && process.env.STRYKE_BENCH_WORKER_WRAPPER) process.execPath = process.env.STRYKE_BENCH_WORKER_WRAPPER;
