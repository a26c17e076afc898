/**
 * Posts a 1 GB file in a multipart form to a stryke action and samples the server process's resident
 * memory (from /proc) throughout: the bytes are generated on the fly by the client and streamed by the
 * server into its disk storage service (sniffed, counted and hashed on the way), never held whole. Reports
 * the growth over the idle baseline; the target is under 64 MB.
 *
 *   node build/benchmarks/uploads/run.js [--mb 1024]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MB = (() => {
  const i = process.argv.indexOf('--mb');
  return i >= 0 ? Number(process.argv[i + 1]) : 1024;
})();
const BYTES = MB * 1024 * 1024;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A multipart body: one file part of BYTES bytes (a PNG signature, then filler), written with backpressure. */
function upload(port: number): Promise<{ bytes: number; type: string }> {
  const boundary = '----strykebench';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="upload[file]"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunk = Buffer.alloc(256 * 1024, 97);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/uploads',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + BYTES + tail.length },
    }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.write(head);
    req.write(png);
    let sent = png.length;
    const pump = () => {
      while (sent < BYTES) {
        const n = Math.min(chunk.length, BYTES - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-upload-bench-'));
  const port = 38000 + Math.floor(Math.random() * 1000);
  const server = fork(join(__dirname, 'server.js'), [String(port)], { env: { ...process.env, STRYKE_ENV: 'production', SECRET_KEY_BASE: 'x'.repeat(64), BENCH_STORAGE_DIR: dir } });
  await new Promise((r) => server.once('message', r));
  try {
    const pid = server.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const base = rssMb(pid);
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const started = Date.now();
    const out = await upload(port);
    clearInterval(timer);
    const secs = (Date.now() - started) / 1000;
    if (out.bytes !== BYTES || out.type !== 'image/png') throw new Error(`the server stored ${out.bytes} bytes of ${out.type}`);
    console.log(`Uploading ${MB} MB in a multipart form to a stryke app's disk storage (node ${process.version}); server RSS sampled every 50 ms\n`);
    console.log('| upload | bytes | time | rate | RSS before | RSS peak | growth |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(`| multipart form -> disk service | ${MB} MB | ${secs.toFixed(1)} s | ${(MB / secs).toFixed(0)} MB/s | ${base.toFixed(1)} MB | ${peak.toFixed(1)} MB | ${(peak - base).toFixed(1)} MB |`);
    if (peak - base >= 64) process.exitCode = 1;
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
