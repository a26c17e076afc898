/**
 * BullMQ, required when first used (a Queue, a Worker, a PostgreSQL or Redis backend) rather than when the
 * jobs layer loads: an app's `@Job` classes load at boot, and BullMQ takes about 70 ms to load.
 */
export function bullmq(): typeof import('bullmq') {
  return require('bullmq') as typeof import('bullmq');
}
