import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp, loadConfig } from 'stryke';
import { writeCredentials } from '../../framework/credentials';
import { stryke } from '../support/cli';

const fixtureBuild = join(__dirname, '..', 'boot-fixtures', 'rate-limits');

/** An app root with this config and these credentials (encrypted under a fresh key in config/master.key). */
function appWith(files: Record<string, string>, credentials: Record<string, unknown>): { root: string; key: string } {
  const root = mkdtempSync(join(tmpdir(), 'stryke-credentials-boot-'));
  mkdirSync(join(root, 'config'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const key = randomBytes(32).toString('hex');
  writeFileSync(join(root, 'config', 'master.key'), key, { mode: 0o600 });
  writeCredentials(root, { key: Buffer.from(key, 'hex'), source: 'config/master.key' }, credentials);
  return { root, key };
}

const boot = (root: string, env: string) => createApp({ root, buildDir: fixtureBuild, env, database: { adapter: 'sqlite', database: join(root, 'db.sqlite3') } });

describe('credentials at boot', () => {
  let saved: string | undefined;
  before(() => {
    saved = process.env.SECRET_KEY_BASE;
    delete process.env.SECRET_KEY_BASE;
  });
  after(() => {
    if (saved !== undefined) process.env.SECRET_KEY_BASE = saved;
  });

  it('gives config.credentials, per environment, and ${credentials:key.path} in the other config files', () => {
    const { root } = appWith({
      'config/mail.toml': 'user = "app"\npassword = "${credentials:smtp.password}"\nurl = "smtp://${credentials:smtp.user}@${MAIL_HOST:-localhost}"\n',
    }, { smtp: { password: 'pa$${HOME}ss', user: 'mailer' }, api_key: 'dev-key', production: { api_key: 'live-key' } });
    const dev = loadConfig(root, 'development', {});
    assert.equal(dev.credentials.api_key, 'dev-key');
    assert.equal(dev.mail.password, 'pa$${HOME}ss', 'a credential is not interpolated again');
    assert.equal(dev.mail.url, 'smtp://mailer@localhost');
    assert.equal(loadConfig(root, 'production', {}).credentials.api_key, 'live-key');
    assert.equal(loadConfig(root, 'production', {}).credentials.production, undefined);

    writeFileSync(join(root, 'config', 'mail.toml'), 'password = "${credentials:smtp.missing}"\n');
    assert.throws(() => loadConfig(root, 'development', {}), (err: any) => err.code === 'STRYKE_E_CREDENTIALS_MISSING_VALUE' && /config\/mail\.toml refers to \$\{credentials:smtp\.missing\}/.test(err.message));
  });

  it('takes the session secret from the credentials: production boots with only the master key', async () => {
    const { root } = appWith({}, { secret_key_base: randomBytes(64).toString('hex') });
    const app = await boot(root, 'production');
    try {
      const res = await app.server.inject({ url: '/session/new' });
      assert.equal(res.statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('refuses to boot production without the key, and boots development on its local fallback', async () => {
    const { root } = appWith({}, { secret_key_base: randomBytes(64).toString('hex') });
    const { rmSync } = await import('node:fs');
    rmSync(join(root, 'config', 'master.key'));
    await assert.rejects(boot(root, 'production'), { code: 'STRYKE_E_CREDENTIALS_KEY_MISSING' });
    const dev = await boot(root, 'development');
    try {
      assert.deepEqual(dev.config.credentials, {});
      assert.equal((await dev.server.inject({ url: '/session/new' })).statusCode, 200);
    } finally {
      await dev.close();
    }
    // Production without credentials or SECRET_KEY_BASE: no secret, no boot.
    const bare = mkdtempSync(join(tmpdir(), 'stryke-credentials-boot-'));
    await assert.rejects(boot(bare, 'production'), (err: any) => err.code === 'STRYKE_E_CONFIG_MISSING_SECRET' && /STRYKE_MASTER_KEY/.test(err.message));
  });

  it('refuses to boot, in every environment, with a wrong key or a changed file', async () => {
    const { root } = appWith({}, { secret_key_base: 's'.repeat(64) });
    writeFileSync(join(root, 'config', 'master.key'), 'cd'.repeat(32));
    for (const env of ['development', 'test', 'production']) {
      await assert.rejects(boot(root, env), (err: any) => err.code === 'STRYKE_E_CREDENTIALS_UNREADABLE' && /^config\/credentials\.toml\.enc cannot be decrypted with the key from config\/master\.key/.test(err.message));
    }
  });

  it('stops `stryke server` with one line naming the file', () => {
    const { root } = appWith({ 'config/server.toml': 'log_level = "warn"\n' }, { secret_key_base: 's'.repeat(64) });
    const res = stryke(['server', '--no-build', '--root', root, '--port', '0', '--host', '127.0.0.1'], { env: { STRYKE_MASTER_KEY: '00'.repeat(32) } });
    assert.equal(res.status, 1);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, /^stryke: config\/credentials\.toml\.enc cannot be decrypted with the key from STRYKE_MASTER_KEY .*\(STRYKE_E_CREDENTIALS_UNREADABLE\)$/);
  });
});
