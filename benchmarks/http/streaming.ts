/**
 * Streams 1 GB up to a `stream: true` action and 1 GB down from an action returning a generator, and
 * samples the server process's resident memory (from /proc) throughout. Reports the growth over the
 * idle baseline; the target is under 64 MB each way.
 *
 *   node build/benchmarks/http/streaming.js [--mb 1024]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

const MB = (() => {
  const i = process.argv.indexOf('--mb');
  return i >= 0 ? Number(process.argv[i + 1]) : 1024;
})();
const BYTES = MB * 1024 * 1024;
const PORT = 38111;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

function upload(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, method: 'POST', path: '/stream/upload', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body).bytes));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024, 97);
    let sent = 0;
    const pump = () => {
      while (sent < BYTES) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function download(): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: PORT, path: `/stream/download?bytes=${BYTES}` }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve(bytes));
    }).on('error', reject);
  });
}

async function measure(pid: number, label: string, run: () => Promise<number>) {
  if (global.gc) global.gc();
  const base = rssMb(pid);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const started = Date.now();
  const bytes = await run();
  clearInterval(timer);
  const secs = (Date.now() - started) / 1000;
  console.log(`| ${label} | ${(bytes / 1024 / 1024).toFixed(0)} MB | ${secs.toFixed(1)} s | ${(bytes / 1024 / 1024 / secs).toFixed(0)} MB/s | ${base.toFixed(1)} MB | ${peak.toFixed(1)} MB | ${(peak - base).toFixed(1)} MB |`);
}

async function main() {
  const server = fork(join(__dirname, 'server.js'), ['stryke', String(PORT)], { env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64) } });
  await new Promise((r) => server.once('message', r));
  try {
    console.log(`Streaming ${MB} MB through a stryke app (node ${process.version}); server RSS sampled every 50 ms\n`);
    console.log('| direction | bytes | time | rate | RSS before | RSS peak | growth |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    await measure(server.pid!, 'upload (stream: true action)', upload);
    await measure(server.pid!, 'download (generator returned by an action)', download);
  } finally {
    server.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
