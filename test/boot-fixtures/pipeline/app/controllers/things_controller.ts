import type { FastifyReply, FastifyRequest } from 'fastify';
import { ActionController, Controller, Delete, Get, Patch, Put, Use } from 'stryke';

/** A function middleware: only requests with `x-admin: 1` get through. */
export function adminOnly(req: FastifyRequest, reply: FastifyReply) {
  if (req.headers['x-admin'] !== '1') reply.code(403).send({ error: 'admins only' });
}

/**
 * Routes sharing one path with different middleware and options: the `_method` tunnel, the `.json`
 * suffix and HEAD must each run the chain of the route they reach, not a neighbour's.
 */
@Controller('/things')
export class ThingsController extends ActionController {
  @Patch('/:id', { bodyLimit: 64 })
  update() {
    return { action: 'update', id: this.params.id };
  }

  @Delete('/:id', { params: { id: 'integer' } })
  @Use(adminOnly)
  destroy() {
    return { action: 'destroy', id: this.params.id, type: typeof this.params.id };
  }

  @Get('/:id')
  @Use(adminOnly)
  show() {
    return { action: 'show', id: this.params.id };
  }

  @Put('/upload/:id', { stream: true })
  upload() {
    return { action: 'upload' };
  }

  @Patch('/upload/:id')
  touch() {
    return { action: 'touch' };
  }
}
