/**
 * One benchmark server process: `node server.js stryke|fastify <port>`, with the database in BENCH_DB (a
 * stryke DatabaseConfig as JSON). The fastify peer answers the same routes as a bare fastify app would:
 * prepared statements through the raw driver (better-sqlite3 on the file in WAL mode, as the framework
 * opens it; node-postgres with a pool of 10, the framework's default, and named statements) and the
 * fortunes page from a handlebars template compiled once.
 */
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import Handlebars from 'handlebars';
import { Pool } from 'pg';
import { createApp } from 'stryke';
import type { DatabaseConfig } from 'stryke/orm';

interface SqliteStatement {
  get(...binds: unknown[]): unknown;
  all(...binds: unknown[]): unknown[];
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => { prepare(sql: string): SqliteStatement; pragma(sql: string): unknown };

const ROWS = 10_000;

interface World {
  id: number;
  randomNumber: number;
}
interface Fortune {
  id: number;
  message: string;
}

/** What the routes need from the database, whichever driver is underneath. */
interface Reads {
  world(id: number): Promise<World>;
  worldsFrom(id: number): Promise<World[]>;
  fortunes(): Promise<Fortune[]>;
}

const WORLD_SQL = (p: string) => `SELECT id, "randomNumber" FROM world WHERE id = ${p}`;
const MULTI_SQL = (p: string) => `SELECT id, "randomNumber" FROM world WHERE id >= ${p} ORDER BY id LIMIT 20`;
const FORTUNES_SQL = 'SELECT id, message FROM fortune';

function rawReads(config: DatabaseConfig): Reads {
  if (config.adapter === 'sqlite') {
    const db = new BetterSqlite3(config.database);
    db.pragma('journal_mode = WAL');
    const world = db.prepare(WORLD_SQL('?'));
    const multi = db.prepare(MULTI_SQL('?'));
    const fortunes = db.prepare(FORTUNES_SQL);
    return {
      world: async (id) => world.get(id) as World,
      worldsFrom: async (id) => multi.all(id) as World[],
      fortunes: async () => fortunes.all() as Fortune[],
    };
  }
  const pool = new Pool({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database, max: config.pool ?? 10 });
  return {
    world: async (id) => (await pool.query<World>({ name: 'world', text: WORLD_SQL('$1'), values: [id] })).rows[0]!,
    worldsFrom: async (id) => (await pool.query<World>({ name: 'multi', text: MULTI_SQL('$1'), values: [id] })).rows,
    fortunes: async () => (await pool.query<Fortune>({ name: 'fortunes', text: FORTUNES_SQL })).rows,
  };
}

const randomId = () => Math.floor(Math.random() * ROWS) + 1;

function queryCount(value: unknown): number {
  const n = Number.parseInt(String(value ?? ''), 10);
  return Number.isNaN(n) ? 1 : Math.min(500, Math.max(1, n));
}

/** The stryke app's layout with its fortunes view in place of `{{yield}}`: the same page. */
const FORTUNES_PAGE = `<!DOCTYPE html>
<html>
<head><title>Fortunes</title></head>
<body>
<table>
<tr><th>id</th><th>message</th></tr>
{{#each fortunes}}
<tr><td>{{id}}</td><td>{{message}}</td></tr>
{{/each}}
</table>

</body>
</html>
`;

async function fastifyPeer(config: DatabaseConfig): Promise<FastifyInstance> {
  const db = rawReads(config);
  const page = Handlebars.compile(FORTUNES_PAGE);
  const app = fastify({ logger: false });
  app.get('/db', () => db.world(randomId()));
  app.get('/queries', (req) => {
    const n = queryCount((req.query as Record<string, unknown>).queries);
    const reads = new Array<Promise<World>>(n);
    for (let i = 0; i < n; i++) reads[i] = db.world(randomId());
    return Promise.all(reads);
  });
  app.get('/multi', () => db.worldsFrom(Math.floor(Math.random() * (ROWS - 20)) + 1));
  app.get('/fortunes', async (_req, reply) => {
    const fortunes = await db.fortunes();
    fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
    fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    reply.type('text/html; charset=utf-8');
    return page({ fortunes });
  });
  return app;
}

async function main() {
  const [kind, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  const database = JSON.parse(process.env.BENCH_DB ?? '') as DatabaseConfig;
  if (kind === 'fastify') {
    await (await fastifyPeer(database)).listen({ port, host: '127.0.0.1' });
  } else {
    const root = join(__dirname, '..', '..', '..', 'benchmarks', 'http-db', 'app');
    const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database });
    await app.listen(port, '127.0.0.1');
  }
  // The parent asks for this process's CPU time around each round: CPU per request is the steadier figure
  // when the load generator, on the other core, cannot saturate the server.
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.send?.('ready');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
