import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, REPO, stryke } from '../support/cli';

/**
 * `stryke new --docker` writes a Dockerfile that builds into an image which serves the app. Building an image
 * takes minutes (the framework's dependencies are installed and better-sqlite3 compiled inside it), longer than
 * the suite allows a file, so this runs on demand:
 *
 *   STRYKE_DOCKER_TEST=1 node --test build/test/cli/docker.test.js
 *
 * with docker (a daemon with BuildKit) or buildah (daemonless; `--isolation chroot`, storage driver from
 * STRYKE_BUILDAH_STORAGE, default vfs). The base image (node:20-bookworm-slim) is pulled, or taken from local
 * storage when it is there.
 */

const has = (tool: string) => spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
const tool = has('docker') && spawnSync('docker', ['info'], { encoding: 'utf8' }).status === 0 ? 'docker' : has('buildah') ? 'buildah' : undefined;
const skip = !tool
  ? 'needs docker (with a running daemon) or buildah to build the image; neither is here'
  : process.env.STRYKE_DOCKER_TEST !== '1'
    ? 'builds a container image (minutes): run it with STRYKE_DOCKER_TEST=1 node --test build/test/cli/docker.test.js'
    : false;

const BASE = 'node:20-bookworm-slim';

function run(cmd: string, args: string[], cwd?: string, timeout = 25 * 60_000) {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(res.status, 0, `${cmd} ${args.join(' ')} failed:\n${(res.stdout ?? '').slice(-4000)}\n${(res.stderr ?? '').slice(-4000)}`);
  return res.stdout;
}

async function firstOk(url: string, ms: number): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      return { status: res.status, body: await res.text() };
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`${url} did not answer within ${ms} ms: ${(last as Error)?.message}`);
}

describe('stryke new --docker', () => {
  it('builds an image that migrates its database and serves the scaffold', { skip, timeout: 40 * 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stryke-docker-'));
    const tag = `stryke-docker-test-${randomBytes(4).toString('hex')}`;
    const root = join(dir, 'shop');
    const storage = ['--storage-driver', process.env.STRYKE_BUILDAH_STORAGE ?? 'vfs'];
    let container: string | undefined;
    try {
      assert.equal(stryke(['new', 'shop', '--docker', '--quiet'], { cwd: dir }).status, 0);
      assert.equal(stryke(['generate', 'scaffold', 'Product', 'name:string', '--quiet'], { cwd: root }).status, 0);

      const port = await freePort();
      // The image has no config/master.key (.dockerignore): the server takes it as STRYKE_MASTER_KEY.
      const masterKey = readFileSync(join(root, 'config', 'master.key'), 'utf8').trim();
      let server;
      if (tool === 'docker') {
        run('docker', ['build', '--build-context', `stryke=${REPO}`, '-t', tag, '.'], root);
        container = run('docker', ['run', '-d', '-p', `127.0.0.1:${port}:3000`, '-e', `STRYKE_MASTER_KEY=${masterKey}`, tag]).trim();
      } else {
        const local = spawnSync('buildah', [...storage, 'images', '-q', BASE], { encoding: 'utf8' });
        const pull = local.status === 0 && local.stdout.trim() ? ['--pull=never'] : [];
        run('buildah', [...storage, 'build', '--isolation', 'chroot', ...pull, '--build-context', `stryke=${REPO}`, '-t', tag, '.'], root);
        container = run('buildah', [...storage, 'from', tag]).trim();
        // buildah runs the image's command on the host's network; PORT moves it off 3000.
        server = spawn('buildah', [...storage, 'run', '--isolation', 'chroot', '--env', `STRYKE_MASTER_KEY=${masterKey}`, '--env', `PORT=${port}`, container,
          '--', 'sh', '-c', 'node_modules/.bin/stryke db migrate && exec node_modules/.bin/stryke start --workers 1'], { stdio: 'ignore' });
      }
      try {
        const page = await firstOk(`http://127.0.0.1:${port}/products`, 120_000);
        assert.equal(page.status, 200, page.body.slice(0, 2000));
        assert.match(page.body, /Products/);
      } finally {
        server?.kill('SIGTERM');
      }
    } finally {
      if (tool === 'docker') {
        if (container) spawnSync('docker', ['rm', '-f', container]);
        spawnSync('docker', ['rmi', '-f', tag]);
      } else {
        if (container) spawnSync('buildah', [...storage, 'rm', container]);
        spawnSync('buildah', [...storage, 'rmi', '-f', tag]);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
