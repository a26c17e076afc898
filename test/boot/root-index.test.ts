import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMAND_TIMEOUT, REPO } from '../support/cli';

/**
 * In a fresh process: requires the built root index (`require('stryke')`) and lists which of the parts it
 * loads on first use are loaded already.
 */
const script = `
const files = () => Object.keys(require.cache);
const pkg = (name) => files().some((k) => k.includes('/node_modules/' + name + '/'));
const own = (rel) => files().some((k) => k.endsWith('/build/framework/' + rel));
const stryke = require(${JSON.stringify(join(REPO, 'build', 'framework'))});
const lazyPackages = ['nodemailer', '@aws-sdk/client-s3', 'prom-client', '@opentelemetry/api', 'bullmq', 'ioredis', 'ws', 'commander', 'esbuild', 'class-validator', 'typeorm'];
const lazyModules = ['migrations/runner.js', 'migrations/dsl.js', 'migrations/schema-dump.js', 'server/bundle.js', 'cli/program.js'];
const m = stryke.migration('CreateNotes', { change() {} });
console.log(JSON.stringify({
  packages: lazyPackages.filter(pkg),
  modules: lazyModules.filter(own),
  exported: ['createApp', 'Model', 'migration', 'defineAdmin', 'Channel', 'HasOneAttached', 'RateLimit'].filter((n) => typeof stryke[n] !== 'function'),
  migration: m.__strykeMigration === true && m.name === 'CreateNotes',
}));
`;

describe("boot: require('stryke') loads only what serving needs", () => {
  it('the root index loads no mailer, S3 client, metrics, tracing API, queue, WebSocket server, migration runner or CLI; its exports are there', () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env, timeout: COMMAND_TIMEOUT });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
    assert.deepEqual(JSON.parse(res.stdout.trim().split('\n').pop()!), { packages: [], modules: [], exported: [], migration: true });
  });
});
