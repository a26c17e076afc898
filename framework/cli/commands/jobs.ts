import type { Command } from 'commander';

/** `stryke jobs ...`: background job workers and queue inspection (see docs/jobs.md). */
export function registerJobs(program: Command): void {
  program.command('jobs').description('background jobs (not available yet)');
}
