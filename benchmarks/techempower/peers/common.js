'use strict';
/**
 * What the three peers share: the tests' parameters, the fortunes page, the SQL, and a small in-process cache
 * for cached queries (a Map with a ttl and one load per key at a time: the least a hand-written cache does).
 * Each peer is what a user of that framework would write; see ../README.md.
 */
const Handlebars = require('handlebars');

const ROWS = 10_000;
const randomId = () => Math.floor(Math.random() * ROWS) + 1;

function queryCount(value) {
  const n = Number.parseInt(String(value ?? ''), 10);
  return Number.isNaN(n) ? 1 : Math.min(500, Math.max(1, n));
}

const fortunesPage = Handlebars.compile(`<!DOCTYPE html>
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
`);

function addAndSort(fortunes) {
  fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
  fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  return fortunes;
}

const pgOptions = () => ({
  host: process.env.TE_PGHOST || '127.0.0.1',
  port: 5432,
  user: process.env.TE_PGUSER || 'postgres',
  database: process.env.TE_DATABASE || 'stryke_te',
  max: 10,
});

const WORLD = { name: 'world', text: 'SELECT id, "randomNumber" FROM world WHERE id = $1' };
const FORTUNES = { name: 'fortunes', text: 'SELECT id, message FROM fortune' };

/** One UPDATE for the request's rows, as the fastest hand-written TechEmpower entries do. */
function updateSql(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(`($${2 * i + 1}::int, $${2 * i + 2}::int)`);
  return `UPDATE world AS w SET "randomNumber" = v.r FROM (VALUES ${rows.join(', ')}) AS v(id, r) WHERE w.id = v.id`;
}

/**
 * Rows to update, one per id (the last draw wins), in id order: the UPDATE ... FROM VALUES needs distinct ids,
 * and concurrent requests locking rows in one order cannot deadlock (TypeORM's save of several rows is one
 * transaction: in random order, two requests deadlock within seconds under load).
 */
function distinct(worlds) {
  return [...new Map(worlds.map((w) => [w.id, w])).values()].sort((a, b) => a.id - b.id);
}

class WorldCache {
  constructor(ttl = 600_000) {
    this.ttl = ttl;
    this.entries = new Map();
    this.loading = new Map();
  }

  fetch(id, load) {
    const hit = this.entries.get(id);
    if (hit && hit.expires > Date.now()) return hit.value;
    let p = this.loading.get(id);
    if (!p) {
      p = load(id).then((value) => {
        this.entries.set(id, { value, expires: Date.now() + this.ttl });
        this.loading.delete(id);
        return value;
      }, (err) => {
        this.loading.delete(id);
        throw err;
      });
      this.loading.set(id, p);
    }
    return p;
  }
}

const port = () => Number(process.argv[2] || 8080);

module.exports = { ROWS, randomId, queryCount, fortunesPage, addAndSort, pgOptions, WORLD, FORTUNES, updateSql, distinct, WorldCache, port };
