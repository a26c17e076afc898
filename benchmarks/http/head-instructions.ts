/**
 * Instructions of one response head with nosniff, by each way of adding it, without a socket or a server: node
 * builds `n` responses and writes each one's head (`writeHead(200, { content-type, content-length })`, as fastify
 * does), under callgrind, once with `n` and once with `2n` responses; the difference over `n` is one head's cost,
 * free of the process's start (exact to a few instructions, where a server's count moves by a thousand or more
 * between runs). The ways:
 * - `none`: no nosniff (the floor);
 * - `stamp`: http/response.ts's class (the header joins the object `writeHead` is given);
 * - `object`: nosniff in the headers object itself, no class (node's validation and serialization of one header).
 *
 *   node build/benchmarks/http/head-instructions.js [--responses 200000] [--ways none,stamp,object]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stampingResponse } from '../../framework/http/response';
import { valgrindAvailable } from '../callgrind-server';
import { arg } from '../support';

const option = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);

/** The child: writes `n` heads the way `way` says. */
function heads(way: string, n: number): void {
  const nosniff: [string, string][] = [['x-content-type-options', 'nosniff']];
  const Response = (way === 'stamp' ? stampingResponse(nosniff) : undefined) ?? ServerResponse;
  const req = new IncomingMessage(new Socket());
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.method = 'GET';
  let written = 0;
  for (let i = 0; i < n; i++) {
    const res = new Response(req);
    const headers: Record<string, string> = { 'content-type': 'text/plain', 'content-length': '13' };
    if (way === 'object') headers['x-content-type-options'] = 'nosniff';
    res.writeHead(200, headers);
    if (res.headersSent || res.statusCode === 200) written++;
  }
  if (written !== n) throw new Error(`${written} of ${n} heads written`);
}

/** The instructions of the whole child process writing `n` heads. */
function total(way: string, n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-heads-'));
  try {
    const out = join(dir, 'callgrind.out');
    const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, __filename, '--child', way, String(n)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const summary = /^(?:summary|totals): (\d+)/m.exec(readFileSync(out, 'utf8'));
    if (!summary) throw new Error(`no total in ${out}`);
    return Number(summary[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  if (process.argv[2] === '--child') return heads(process.argv[3]!, Number(process.argv[4]));
  if (!valgrindAvailable()) return;
  const n = arg('responses', 200000);
  const ways = (option('ways') ?? 'none,stamp,object').split(',');
  console.log(`Instructions of one response head (node ${process.version}; ${n} and ${2 * n} heads under callgrind)\n`);
  console.log('| way | instructions/head | over none |\n| --- | ---: | ---: |');
  let floor: number | undefined;
  for (const way of ways) {
    const each = (total(way, 2 * n) - total(way, n)) / n;
    if (way === 'none') floor = each;
    console.log(`| ${way} | ${Math.round(each)} | ${floor === undefined ? '' : Math.round(each - floor)} |`);
  }
}

main();
