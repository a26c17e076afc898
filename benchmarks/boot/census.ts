/**
 * Preloaded (`NODE_OPTIONS=--require census.js`) into every process of a boot the benchmark counts: once the
 * process has answered or settled (STRYKE_CENSUS_MS after start), it writes `<dir>/<pid>.json` with the
 * modules it has loaded (require.cache, and by package) and whether it is a cluster worker. Never used in a
 * timed round.
 */
import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.STRYKE_CENSUS_DIR;
if (dir) {
  setTimeout(() => {
    const files = Object.keys(require.cache);
    const packages: Record<string, number> = {};
    for (const f of files) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(f);
      const name = m ? m[1]! : '(app and framework)';
      packages[name] = (packages[name] ?? 0) + 1;
    }
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ worker: cluster.isWorker, modules: files.length, packages }));
  }, Number(process.env.STRYKE_CENSUS_MS ?? 3000)).unref();
}
