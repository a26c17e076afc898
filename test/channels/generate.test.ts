import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appTsconfig, BIN, writeApp } from '../support/cli';

function run(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRYKE_ENV: 'development', DATABASE_URL: '' };
  delete env.NODE_TEST_CONTEXT;
  const res = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env, timeout: 180_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const FILES = ['app/channels/application_channel.ts', 'app/channels/chat_channel.ts', 'public/channels/chat.js', 'test/channels/chat_channel.test.ts'];

describe('stryke generate channel', () => {
  it('writes the channel, a client snippet and a test; is idempotent; the test passes; destroy undoes it', () => {
    const tsconfig = JSON.parse(appTsconfig());
    tsconfig.include.push('test/**/*.ts');
    const root = writeApp({
      'tsconfig.json': JSON.stringify(tsconfig),
      'package.json': JSON.stringify({ name: 'chat-app', private: true }),
      'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/development.sqlite3"\n\n[test]\ndatabase = "db/test.sqlite3"\n',
    });
    const first = run(root, 'generate', 'channel', 'Chat', 'speak');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    for (const f of FILES) assert.ok(existsSync(join(root, f)), `${f} written`);
    const channel = readFileSync(join(root, 'app/channels/chat_channel.ts'), 'utf8');
    assert.match(channel, /@Channel\('\/chat'\)\nexport class ChatChannel extends ApplicationChannel/);
    assert.match(channel, /@Action\(\)\n {2}speak\(data/);
    assert.match(readFileSync(join(root, 'public/channels/chat.js'), 'utf8'), /Stryke\.channel\('\/chat'\)/);

    const again = run(root, 'generate', 'channel', 'Chat', 'speak');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /identical/);
    assert.doesNotMatch(again.stdout, /create/);

    const bad = run(root, 'generate', 'channel', 'Chat', 'reject');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /taken by ActionChannel/);

    const routes = run(root, 'routes');
    assert.equal(routes.status, 0, routes.stderr);
    assert.match(routes.stdout, /WS\s+\/chat\s+ChatChannel/);

    const tested = run(root, 'test');
    assert.equal(tested.status, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout + tested.stderr, /speak broadcasts to every client/);

    const gone = run(root, 'destroy', 'channel', 'Chat');
    assert.equal(gone.status, 0, gone.stderr);
    for (const f of FILES.slice(1)) assert.ok(!existsSync(join(root, f)), `${f} removed`);
    assert.ok(existsSync(join(root, FILES[0]!)), 'the shared ApplicationChannel stays');
  });
});
