import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigErrors } from '../config';
import type { ConfigTree } from '../config';

/**
 * The app's secret (session encryption, CSRF): SECRET_KEY_BASE, then `secret_key_base` in the encrypted
 * credentials (config/credentials.toml.enc, where `stryke new` puts one), then in config/app.toml (apps made
 * before credentials existed). In development and test without any of these: a random one kept in
 * tmp/local_secret.txt, for this machine only and never for production, which refuses to boot without one.
 */
export function secretKeyBase(root: string, env: string, config: ConfigTree): string {
  const given = process.env.SECRET_KEY_BASE || config.credentials?.secret_key_base || config.app?.secret_key_base;
  if (given && String(given).length >= 32) return String(given);
  if (env === 'production') throw ConfigErrors.MISSING_SECRET();
  const file = join(root, 'tmp', 'local_secret.txt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
