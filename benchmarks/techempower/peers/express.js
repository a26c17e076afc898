'use strict';
/** Express 5 with node-postgres: TechEmpower's seven tests. `node express.js <port>` */
const express = require('express');
const { Pool } = require('pg');
const c = require('./common');

const pool = new Pool(c.pgOptions());
const world = async (id) => (await pool.query({ ...c.WORLD, values: [id] })).rows[0];
const cached = new c.WorldCache();
const app = express();

app.get('/plaintext', (req, res) => {
  res.set('content-type', 'text/plain').send('Hello, World!');
});
app.get('/json', (req, res) => res.json({ message: 'Hello, World!' }));
app.get('/db', async (req, res) => res.json(await world(c.randomId())));
app.get('/queries', async (req, res) => {
  res.json(await Promise.all(Array.from({ length: c.queryCount(req.query.queries) }, () => world(c.randomId()))));
});
app.get('/fortunes', async (req, res) => {
  const { rows } = await pool.query(c.FORTUNES);
  res.set('content-type', 'text/html; charset=utf-8').send(c.fortunesPage({ fortunes: c.addAndSort(rows) }));
});
app.get('/updates', async (req, res) => {
  const worlds = await Promise.all(Array.from({ length: c.queryCount(req.query.queries) }, () => world(c.randomId())));
  for (const w of worlds) w.randomNumber = c.randomId();
  const rows = c.distinct(worlds);
  await pool.query(c.updateSql(rows.length), rows.flatMap((w) => [w.id, w.randomNumber]));
  res.json(worlds);
});
app.get('/cached-queries', async (req, res) => {
  res.json(await Promise.all(Array.from({ length: c.queryCount(req.query.count) }, () => cached.fetch(c.randomId(), world))));
});

const server = app.listen(c.port(), '127.0.0.1', () => process.send?.('ready'));
server.keepAliveTimeout = 65_000;
