// Once per run: a fresh database for the backend under test.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export default async function setup() {
  const backend = process.env.CONFORMANCE_BACKEND;
  const requireFromRoot = createRequire(join(process.env.CONFORMANCE_ROOT, 'package.json'));
  if (backend === 'mysql') {
    const url = new URL(process.env.CONFORMANCE_MYSQL);
    const db = url.pathname.slice(1);
    const mysql = requireFromRoot('mysql2/promise');
    const conn = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) });
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.end();
  } else if (backend === 'postgres') {
    const url = new URL(process.env.CONFORMANCE_POSTGRES);
    const db = url.pathname.slice(1);
    const { Client } = requireFromRoot('pg');
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${db}"`);
    await client.end();
  }
}
