import { createRequire } from 'node:module';

/**
 * fastify's own dependencies that the framework reaches for (its logger, its schema compilers), loaded from
 * fastify's folder so they are the very copies fastify uses. The list is closed: `stryke build` bundles each
 * of them (framework/server/bundle.ts replaces this module with static requires of these ids).
 */
export const FASTIFY_DEPENDENCIES = ['pino', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', './lib/logger-pino.js'] as const;
export type FastifyDependency = (typeof FASTIFY_DEPENDENCIES)[number];

let fromFastify: NodeRequire | undefined;

export function fastifyRequire(id: FastifyDependency): any {
  return (fromFastify ??= createRequire(require.resolve('fastify')))(id);
}
