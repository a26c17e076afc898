import type { FastifyReply, FastifyRequest } from 'fastify';
import { Service } from 'stryke';

@Service()
export class TokenStore {
  readonly token = 'secret';
}

/** A class middleware: built by the container, so it can take services. */
@Service()
export class RequireToken {
  constructor(private readonly store: TokenStore) {}

  handle(req: FastifyRequest, reply: FastifyReply) {
    if (req.headers['x-token'] !== this.store.token) reply.code(401).send({ error: 'token required' });
  }
}
