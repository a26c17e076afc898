/**
 * What each part a `stryke start` worker adds to a request costs on its own, measured on bare fastify (callgrind,
 * the main thread, `/plaintext`; see costs-server.ts for the parts):
 *
 *   node build/benchmarks/http/costs.js [--variants base,als,alsenabled,track,pino,pino+lazy,pino+lazy+onelog,quiet,stamp,header] [--requests 6000] [--port 21500]
 *
 * Ports are numbered from --port; keep them under the ephemeral range (32768 on Linux), where the load
 * generator's own connections can take a port before a server listens on it.
 */
import { join } from 'node:path';
import { instructionsPerRequest, valgrindAvailable } from '../callgrind-server';
import { arg } from '../support';

const option = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const VARIANTS = (option('variants') ?? 'base,als,alsenabled,track,pino,pino+lazy,pino+lazy+onelog,quiet').split(',');
const REQUESTS = arg('requests', 6000);

async function main() {
  if (!valgrindAvailable()) return;
  let port = arg('port', 21500);
  console.log(`Instructions per /plaintext request on bare fastify, main thread, ${REQUESTS} after as many (node ${process.version})\n`);
  console.log('| parts | instructions/request |\n| --- | ---: |');
  for (let i = 0; i < VARIANTS.length; i += 2) {
    const pair = VARIANTS.slice(i, i + 2);
    const counts = await Promise.all(pair.map((v) => instructionsPerRequest({ label: v, script: join(__dirname, 'costs-server.js'), args: [v, String(++port)], env: process.env, port, mainThread: true }, '/plaintext', REQUESTS)));
    pair.forEach((v, j) => console.log(`| ${v} | ${Math.round(counts[j]!)} |`));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
