'use strict';
/** Bare fastify (logger off) with node-postgres: TechEmpower's seven tests. `node fastify.js <port>` */
const fastify = require('fastify');
const { Pool } = require('pg');
const c = require('./common');

const pool = new Pool(c.pgOptions());
const world = async (id) => (await pool.query({ ...c.WORLD, values: [id] })).rows[0];
const cached = new c.WorldCache();
const app = fastify({ logger: false });

app.get('/plaintext', (req, reply) => {
  reply.header('content-type', 'text/plain');
  return 'Hello, World!';
});
app.get('/json', () => ({ message: 'Hello, World!' }));
app.get('/db', () => world(c.randomId()));
app.get('/queries', (req) => Promise.all(Array.from({ length: c.queryCount(req.query.queries) }, () => world(c.randomId()))));
app.get('/fortunes', async (req, reply) => {
  const { rows } = await pool.query(c.FORTUNES);
  reply.header('content-type', 'text/html; charset=utf-8');
  return c.fortunesPage({ fortunes: c.addAndSort(rows) });
});
app.get('/updates', async (req) => {
  const worlds = await Promise.all(Array.from({ length: c.queryCount(req.query.queries) }, () => world(c.randomId())));
  for (const w of worlds) w.randomNumber = c.randomId();
  const rows = c.distinct(worlds);
  await pool.query(c.updateSql(rows.length), rows.flatMap((w) => [w.id, w.randomNumber]));
  return worlds;
});
app.get('/cached-queries', (req) => Promise.all(Array.from({ length: c.queryCount(req.query.count) }, () => cached.fetch(c.randomId(), world))));

app.listen({ port: c.port(), host: '127.0.0.1' }).then(() => process.send?.('ready'));
