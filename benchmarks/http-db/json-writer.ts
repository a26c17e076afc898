/**
 * In process, CPU time: the JSON text of one World record and of 20, written three ways: JSON.stringify of the
 * raw row (what fastify's `reply.send(row)` does without a schema), JSON.stringify of the record (through
 * toJSON: `this.json` before the compiled writers) and the model's compiled writer (`this.json` now). Each
 * result is measured with its UTF-8 length taken (a concatenated string is flattened there, as the socket write
 * would). Rounds interleaved; the median of the last four of five.
 *
 *   SECRET_KEY_BASE=... node build/benchmarks/http-db/json-writer.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from 'stryke';
import { jsonText } from '../../framework/orm/internal';
import { seed } from './run';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-json-writer-'));
  process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
  const database = { adapter: 'sqlite' as const, database: join(dir, 'bench.sqlite3') };
  await seed(database);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'http-db', 'app');
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false, database });
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { World } = require(join(__dirname, 'app', 'app', 'models', 'world.js'));
    const rec = await World.find(42);
    const recs = await World.where({}).limit(20);
    const row = { id: rec.id, randomNumber: rec.randomNumber };
    const rows = recs.map((r: any) => ({ id: r.id, randomNumber: r.randomNumber }));
    if (jsonText(rec) !== JSON.stringify(row) || jsonText(recs) !== JSON.stringify(rows)) throw new Error('the writers disagree');
    let sink = 0;
    const cases: [string, number, () => number][] = [
      ['1 row: JSON.stringify(raw row) [reply.send(row)]', 1_000_000, () => Buffer.byteLength(JSON.stringify(row))],
      ['1 row: JSON.stringify(record) [this.json before]', 1_000_000, () => Buffer.byteLength(JSON.stringify(rec))],
      ['1 row: compiled writer [this.json now]', 1_000_000, () => Buffer.byteLength(jsonText(rec))],
      ['20 rows: JSON.stringify(raw rows)', 100_000, () => Buffer.byteLength(JSON.stringify(rows))],
      ['20 rows: JSON.stringify(records) [before]', 100_000, () => Buffer.byteLength(JSON.stringify(recs))],
      ['20 rows: compiled writer [now]', 100_000, () => Buffer.byteLength(jsonText(recs))],
    ];
    const samples = new Map<string, number[]>();
    for (let round = 0; round < 5; round++) {
      for (const [name, n, fn] of cases) {
        const start = process.cpuUsage();
        for (let i = 0; i < n; i++) sink += fn();
        const used = process.cpuUsage(start);
        if (round > 0) samples.set(name, [...(samples.get(name) ?? []), ((used.user + used.system) * 1000) / n]);
      }
    }
    console.log(`| case | ns (median) |\n| --- | ---: |`);
    for (const [name, v] of samples) console.log(`| ${name} | ${v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!.toFixed(0)} |`);
    console.log(`\nnode ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${sink > 0 ? 'ok' : ''})`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
