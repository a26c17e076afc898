import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const LIVE_PATH = '/__stryke/live';
export const LIVE_SCRIPT_PATH = '/__stryke/live.js';
export const LIVE_TAG = `<script src="${LIVE_SCRIPT_PATH}" defer></script>`;

/**
 * The browser side: one EventSource. Each process serving the app has a boot id; when the stream
 * reconnects to a process with another id (`stryke dev` replaced the worker), or the server sends
 * `reload` (a file in public/ changed), the page reloads itself.
 */
export const LIVE_SCRIPT = `(function () {
  if (!window.EventSource) return;
  var boot = null;
  var source = new EventSource(${JSON.stringify(LIVE_PATH)});
  source.addEventListener('hello', function (e) {
    if (boot !== null && boot !== e.data) location.reload();
    boot = e.data;
  });
  source.addEventListener('reload', function () { location.reload(); });
})();
`;

/** Puts the live-reload script into an HTML page, before `</body>` (or at the end). */
export function injectLiveReload(html: string): string {
  if (html.includes(LIVE_SCRIPT_PATH)) return html;
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html + LIVE_TAG : `${html.slice(0, at)}${LIVE_TAG}\n${html.slice(at)}`;
}

/** The id of this process's boot, sent to every live-reload client on connect. */
export const BOOT_ID = randomBytes(6).toString('hex');

/** Writes the first lines of the live-reload stream (a short retry, then this boot's id). */
export function liveHello(): string {
  return `retry: 150\nevent: hello\ndata: ${BOOT_ID}\n\n`;
}

/**
 * `stryke dev` only: the SSE endpoint and the script (pages get the script on their way out of the
 * controller: the app's body sender runs `injectLiveReload` on every HTML page in development). The dev
 * primary sends `{ type: 'stryke:reload' }` to the worker when a file in public/ changes.
 */
export function registerLiveReload(app: FastifyInstance): void {
  const clients = new Set<FastifyReply>();
  app.get(LIVE_SCRIPT_PATH, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(LIVE_SCRIPT));
  app.get(LIVE_PATH, (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    reply.raw.write(liveHello());
    clients.add(reply);
    req.raw.on('close', () => clients.delete(reply));
  });
  const onMessage = (msg: any) => {
    if (msg?.type !== 'stryke:reload') return;
    for (const c of clients) c.raw.write('event: reload\ndata: now\n\n');
  };
  process.on('message', onMessage);
  // Open streams would hold the server open: end them when it closes (the browser reconnects to the next worker).
  app.addHook('preClose', (done) => {
    process.off('message', onMessage);
    for (const c of clients) c.raw.end();
    clients.clear();
    done();
  });
}
