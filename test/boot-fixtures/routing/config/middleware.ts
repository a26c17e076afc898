import type { FastifyReply, FastifyRequest } from 'fastify';

/** The global pipeline: runs before every route's own middleware and filters. */
export default [
  function stamp(req: FastifyRequest, reply: FastifyReply) {
    reply.header('x-global', 'yes');
  },
];
