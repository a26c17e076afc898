import { createApp, type App } from '../app/create-app';

export interface ServeOptions {
  root: string;
  port?: number;
  host?: string;
  env?: string;
}

/**
 * Boots the app and listens; on SIGTERM (or a `shutdown` message from the primary) it stops accepting
 * connections, lets in-flight requests finish, closes the database and exits.
 */
export async function serve(options: ServeOptions): Promise<App> {
  const started = process.hrtime.bigint();
  const app = await createApp({ root: options.root, env: options.env });
  const port = options.port ?? Number(process.env.PORT ?? app.config.server?.port ?? 3000);
  const address = await app.listen(port, options.host);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  app.server.log.info({ address, bootMs: Math.round(ms), pid: process.pid }, 'listening');
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await app.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('message', (msg) => {
    if (msg === 'stryke:shutdown') void shutdown();
  });
  if (process.send) process.send({ type: 'stryke:ready', address, bootMs: ms });
  return app;
}
