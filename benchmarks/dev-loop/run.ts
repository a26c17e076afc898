/**
 * The development loop on the sample app: save a file, how long until a response shows the change?
 *
 * Copies the sample app to a temporary folder (linked to this checkout, with a standalone tsconfig.json the
 * way `stryke new` writes one), prepares its development database, runs `stryke dev`, waits for the first
 * 200 from /posts, then `--rounds` times edits the posts controller (a `flash.now` notice that the page
 * shows) and `--rounds` times edits the posts index view, and measures save -> first `GET /posts` whose
 * body shows the edit. /posts is polled on a new connection every `--poll` ms (default 5). Prints every
 * sample, the median and p90, and what `stryke dev` logged for each swap (its own save-to-live time and the
 * worker's boot).
 *
 *   node build/benchmarks/dev-loop/run.js [--rounds 10] [--pause 1500] [--poll 5] [--json]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { arg, BIN, copySampleApp, freePort } from '../support';

/** The tsconfig.json `stryke new` writes: the copy compiles itself, as a user's app does. */
const APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], types: ['node'],
    typeRoots: ['./node_modules/@types', './node_modules/stryke/node_modules/@types'], strict: true,
    experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true,
    sourceMap: true, rootDir: '.', outDir: 'build', incremental: true, tsBuildInfoFile: 'build/.tsbuildinfo',
  },
  include: ['app/**/*.ts', 'config/**/*.ts', 'db/**/*.ts'],
};

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
delete env.NODE_TEST_CONTEXT;

/** One GET on a fresh connection. */
function once(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = get(url, { agent: false, headers: { accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode!, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', fail);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Polls `url` every `every` ms until `accept` holds; the milliseconds from `from` to that response's end. */
async function until(url: string, accept: (status: number, body: string) => boolean, from: number, every: number, dev: ChildProcess, out: () => string, ms = 60_000): Promise<number> {
  for (;;) {
    if (dev.exitCode !== null) throw new Error(`stryke dev exited:\n${out()}`);
    if (now() - from > ms) throw new Error(`${url} did not show the change in ${ms} ms:\n${out().slice(-3000)}`);
    try {
      const r = await once(url);
      if (accept(r.status, r.body)) return now() - from;
    } catch {
      /* between workers or not listening yet: keep polling */
    }
    await sleep(every);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!;

async function main() {
  const rounds = arg('rounds', 10);
  const pause = arg('pause', 1500);
  const every = arg('poll', 5);
  const json = process.argv.includes('--json');
  const say = (line: string) => !json && console.log(line);
  const root = copySampleApp('stryke-bench-dev-', { skip: ['build'], tsconfig: APP_TSCONFIG });
  const prep = spawnSync(process.execPath, [BIN, 'db', 'prepare', '--root', root], { env, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`stryke db prepare failed:\n${prep.stdout}${prep.stderr}`);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/posts`;
  const started = now();
  const dev = spawn(process.execPath, [BIN, 'dev', '--root', root, '--port', String(port), '--host', '127.0.0.1'], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  dev.stdout!.on('data', (d) => (output += d));
  dev.stderr!.on('data', (d) => (output += d));
  const controllerFile = join(root, 'app/controllers/posts_controller.ts');
  const viewFile = join(root, 'app/views/posts/index.hbs');
  const controllerText = readFileSync(controllerFile, 'utf8');
  const viewText = readFileSync(viewFile, 'utf8');
  const marker = 'async index() {\n';
  if (!controllerText.includes(marker)) throw new Error(`posts_controller.ts has no "${marker.trim()}" to edit`);
  const samples = { controller: [] as number[], view: [] as number[] };
  const logged = { controller: [] as string[], view: [] as string[] };
  try {
    const firstMs = await until(url, (s) => s === 200, started, 25, dev, () => output, 120_000);
    say(`stryke dev: first 200 from /posts after ${Math.round(firstMs)} ms (includes the first full type-check)`);
    await sleep(pause);

    for (const kind of ['controller', 'view'] as const) {
      for (let i = 1; i <= rounds; i++) {
        const tag = `dev-loop ${kind} edit ${i}`;
        const before = output.length;
        const t = now();
        if (kind === 'controller') writeFileSync(controllerFile, controllerText.replace(marker, `${marker}    this.flash.now('notice', '${tag}');\n`));
        else writeFileSync(viewFile, `<p class="meta">${tag}</p>\n${viewText}`);
        const ms = await until(url, (s, body) => s === 200 && body.includes(tag), t, every, dev, () => output);
        samples[kind].push(ms);
        await sleep(pause);
        const line = output.slice(before).split('\n').find((l) => /live in \d+ ms/.test(l)) ?? '';
        logged[kind].push(line.replace(/^stryke dev: /, ''));
        say(`${kind} ${String(i).padStart(2)}: ${Math.round(ms)} ms   [${line.replace(/^stryke dev: /, '')}]`);
      }
      writeFileSync(kind === 'controller' ? controllerFile : viewFile, kind === 'controller' ? controllerText : viewText);
      await sleep(pause * 2);
    }
  } finally {
    const exited = new Promise((r) => dev.once('exit', r));
    dev.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (dev.exitCode === null) dev.kill('SIGKILL');
    rmSync(join(root, '..'), { recursive: true, force: true });
  }

  const summary = {
    node: process.version, cores: cpus().length, load: loadavg().map((l) => Math.round(l * 100) / 100), rounds, pollMs: every,
    controller: { medianMs: Math.round(median(samples.controller)), p90Ms: Math.round(p90(samples.controller)), samplesMs: samples.controller.map(Math.round) },
    view: { medianMs: Math.round(median(samples.view)), p90Ms: Math.round(p90(samples.view)), samplesMs: samples.view.map(Math.round) },
    targetMs: 1000,
  };
  if (json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`\n| edit | median ms | p90 ms |\n| --- | ---: | ---: |`);
  console.log(`| app/controllers/posts_controller.ts | ${summary.controller.medianMs} | ${summary.controller.p90Ms} |`);
  console.log(`| app/views/posts/index.hbs | ${summary.view.medianMs} | ${summary.view.p90Ms} |`);
  console.log(`\n${rounds} edits each on ${summary.cores} cores, Node.js ${process.version}, load average ${summary.load.join(' ')}; target under 1000 ms.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
