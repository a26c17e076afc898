import type { FastifyInstance } from 'fastify';
import { HttpErrors } from './errors';

/**
 * JSON bodies, parsed by fastify's own parser (secure-json-parse, prototype keys refused), with errors that
 * say what is wrong. fastify answers both a syntax error and a refused `__proto__` key with "Body is not valid
 * JSON", which sends a client looking for a typo in a valid document. Only a failed parse pays for telling them
 * apart: a second, plain `JSON.parse` that succeeds means the JSON was valid and a key was refused.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(req, body as string, (err, value) => {
      if (!err || (err as { code?: string }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(err, value);
      try {
        JSON.parse(body as string);
      } catch (syntax) {
        return done(HttpErrors.INVALID_JSON((syntax as Error).message), undefined);
      }
      done(HttpErrors.JSON_FORBIDDEN_KEY(), undefined);
    });
  });
}
