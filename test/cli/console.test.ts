import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { consoleWith, stryke } from '../support/cli';

/** `stryke console` in development (see consoleWith). */
const runConsole = (root: string, input: string, args: string[] = []) => consoleWith(root, input, { args, env: { STRYKE_ENV: 'development' } });

describe('stryke console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-console-'));
  const root = join(dir, 'shop');
  before(() => {
    for (const args of [['new', 'shop', '-q'], ['generate', 'scaffold', 'Product', 'name:string', 'price:integer', '-q'], ['generate', 'job', 'Welcome', '-q'], ['db', 'migrate']]) {
      const res = stryke(args, { cwd: args[0] === 'new' ? dir : root, env: { STRYKE_ENV: 'development', DATABASE_URL: '' } });
      assert.equal(res.status, 0, `${args.join(' ')}: ${res.stderr}`);
    }
  });

  it('boots the app with its models, path helpers and routes in scope, and awaits at the top level', async () => {
    const res = await runConsole(root, [
      'await Product.count()',
      "const made = await Product.create({ name: 'Lamp', price: 12 })",
      'productPath(made)',
      '(await Product.find(made.id)).name',
      'paths.productsPath()',
      "routes.find((r) => r.action === 'ProductsController#index').path",
      'app.env',
      'await Product.count()',
    ].join('\n'));
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Loading development environment .*Models: Product/);
    const results = res.stdout.split('development> ').slice(1).map((s) => s.trim());
    assert.deepEqual(results, ['0', 'undefined', "'/products/1'", "'Lamp'", "'/products'", "'/products'", "'development'", '1', '']);
  });

  it('prints an error and carries on', async () => {
    const res = await runConsole(root, ['await Product.find(999999)', '1 + 1'].join('\n'));
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Uncaught/);
    assert.match(res.stdout, /development> 2\n/);
  });

  it('starts no job workers (the app has a job; development runs one worker per queue in a server)', async () => {
    const res = await runConsole(root, "Object.keys(require.cache).some((k) => k.includes('/node_modules/bullmq/'))");
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /development> false\n/);
  });

  it('takes the environment from --env', async () => {
    const res = await runConsole(root, 'app.env', ['-e', 'test']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /test> 'test'/);
  });

  it('refuses to run outside an app, in one line', () => {
    const res = stryke(['console'], { cwd: dir });
    assert.equal(res.status, 1);
    assert.match(res.stderr.trim(), /^stryke: .* is not a stryke app .*\(STRYKE_E_CLI_NOT_AN_APP\)$/);
  });
});
