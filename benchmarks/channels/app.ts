/** The stryke app the channels benchmarks run: one room channel and HTTP endpoints to measure and broadcast. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, REPO } from '../support';

export const APP_FILES: Record<string, string> = {
  'package.json': '{"name":"channels-bench","private":true}',
  // Production's app-wide rate limit (1,000 a minute per address) would answer 429 to the benchmark's one client address.
  'config/server.toml': 'log_level = "error"\n\n[rate_limit]\nenabled = false\n',
  'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/bench.sqlite3"\n',
  'config/channels.toml': 'messages_per_second = 1000\nburst = 1000\nmax_buffered = 16777216\n',
  'app/channels/room_channel.ts': `
import { Action, ActionChannel, Channel } from 'stryke';
@Channel('/room')
export class RoomChannel extends ActionChannel {
  onConnect() { this.join('room', { presence: false }); }
  @Action() pid() { return process.pid; }
}
`,
  'app/controllers/bench_controller.ts': `
import { ActionController, broadcastTo, Controller, Get } from 'stryke';
const payload = (i: number) => ({ t: process.hrtime.bigint().toString(), i, pid: process.pid });
@Controller('')
export class BenchController extends ActionController {
  @Get('/mem') mem() {
    for (let i = 0; i < 3; i++) (global as any).gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, pid: process.pid };
  }
  @Get('/burst') burst() {
    const k = Number(this.params.k ?? 1);
    for (let i = 0; i < k; i++) broadcastTo('room', 'm', payload(i));
    return { pid: process.pid };
  }
  @Get('/pace') pace() {
    const k = Number(this.params.k ?? 1);
    const ms = Number(this.params.ms ?? 10);
    let i = 0;
    const timer = setInterval(() => { broadcastTo('room', 'm', payload(i++)); if (i >= k) clearInterval(timer); }, ms);
    return { pid: process.pid };
  }
}
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], types: ['node'],
      typeRoots: ['./node_modules/@types', './node_modules/stryke/node_modules/@types'], strict: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true,
      rootDir: '.', outDir: 'build',
    },
    include: ['app/**/*.ts', 'config/**/*.ts'],
  }),
};

/** Writes the app to a temporary folder, links this checkout as `stryke`, builds it; returns its root. */
export function benchApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'stryke-channels-bench-'));
  for (const [name, text] of Object.entries(APP_FILES)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(REPO, join(root, 'node_modules', 'stryke'), 'dir');
  const built = spawnSync(process.execPath, [BIN, 'build', '--root', root], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(built.stderr + built.stdout);
  return root;
}

