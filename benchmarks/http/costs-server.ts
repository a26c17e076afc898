/**
 * One server of costs.ts: bare fastify answering `/plaintext`, with the parts a `stryke start` worker adds to
 * every request switched on one at a time: `node costs-server.js <parts joined by +> <port>`, the parts:
 * - `base`: nothing added (fastify, logger off);
 * - `als`: the handler runs in an AsyncLocalStorage store made per request (as stryke's request context does);
 * - `alsenabled`: an AsyncLocalStorage entered once, no store per request (the async hooks' share of `als`);
 * - `track`: a 'request' listener that keeps each socket's response in a WeakMap (the drain tracker before
 *   session 9);
 * - `pino`: fastify's pino logger at `warn`, stryke's production default; `lazy`: with stryke's lazy request
 *   logger as the child logger factory; `onelog`: with stryke's one-line request log controller;
 * - `quiet`: the logger at `warn` as stryke hands it to fastify since session 10 (framework/http/request-logger.ts:
 *   fastify gets no logger, the app's pino is `app.log`, the handler gives each request a lazy child with its
 *   reqId; with the one-line request log controller).
 * - `stamp`: nosniff on every response from stryke's response class (http/response.ts, as `stryke start` has it,
 *   through `writeHead`); `header`: nosniff set per request with `reply.header`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { fastifyLogging, lazyRequestLogger } from '../../framework/http/request-logger';
import { requestLogController } from '../../framework/http/request-log';
import { stampingResponse } from '../../framework/http/response';

async function main() {
  const [variant, port] = process.argv.slice(2);
  const parts = new Set(variant!.split('+'));
  const als = new AsyncLocalStorage<{ id: string }>();
  const options: Record<string, unknown> = { logger: parts.has('pino') ? { level: 'warn' } : false };
  if (parts.has('lazy')) options.childLoggerFactory = lazyRequestLogger;
  if (parts.has('onelog')) options.logController = requestLogController();
  const quiet = parts.has('quiet') ? fastifyLogging({ level: 'warn' }, requestLogController()) : undefined;
  if (quiet) Object.assign(options, quiet.options);
  if (parts.has('stamp')) options.http = { ServerResponse: stampingResponse([['X-Content-Type-Options', 'nosniff']]) };
  const app = fastify(options as FastifyServerOptions);
  if (quiet?.log) app.log = quiet.log;
  const attach = quiet?.attach;
  let handler = (req: FastifyRequest, reply: FastifyReply): unknown => {
    attach?.(req, reply);
    reply.header('content-type', 'text/plain');
    if (parts.has('header')) reply.header('X-Content-Type-Options', 'nosniff');
    return 'Hello, World!';
  };
  if (parts.has('als')) {
    const inner = handler;
    handler = (req, reply) => als.run({ id: req.id }, inner, req, reply);
  }
  if (parts.has('alsenabled')) als.enterWith({ id: 'process' });
  app.get('/plaintext', handler);
  if (parts.has('track')) {
    const responses = new WeakMap<object, object>();
    app.server.on('request', (req, res) => responses.set(req.socket, res));
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.send?.('ready');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
