import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';

const ROOT = join(__dirname, '..', '..', '..');

// `npm ci` on the Node.js the README promises must print no EBADENGINE warning: every package the lockfile
// installs accepts the running Node (fastify's light-my-request 6.8 pulled cookie 2, which needs Node 22;
// package.json pins light-my-request 6.6 through `overrides`).
test('every package in the lockfile accepts this Node.js version', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: Record<string, string> | string[]; optional?: boolean; dev?: boolean }>;
  };
  const refused: string[] = [];
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const range = pkg.engines && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
    if (!path || !range || pkg.optional) continue;
    if (!satisfies(process.versions.node, range, { includePrerelease: true })) refused.push(`${path} needs node ${range}`);
  }
  assert.deepEqual(refused, [], `these would warn EBADENGINE on Node ${process.versions.node}`);
});

test('package.json promises the Node.js range the lockfile supports', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.ok(satisfies(process.versions.node, pkg.engines.node), `engines.node ${pkg.engines.node} excludes ${process.versions.node}`);
});
