import type { Command } from 'commander';

export function registerGenerate(program: Command): void {
  program.command('generate').alias('g').description('generate code (being built)');
}
