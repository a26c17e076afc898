import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigErrors } from '../config/errors';
import type { ConfigTree } from '../config/load';

/**
 * The app's secret (session encryption, CSRF): SECRET_KEY_BASE, then `secret_key_base` in
 * config/app.toml; in development and test a random one kept in tmp/local_secret.txt. Production
 * refuses to boot without one.
 */
export function secretKeyBase(root: string, env: string, config: ConfigTree): string {
  const given = process.env.SECRET_KEY_BASE || config.app?.secret_key_base;
  if (given && String(given).length >= 32) return String(given);
  if (env === 'production') throw ConfigErrors.MISSING_SECRET();
  const file = join(root, 'tmp', 'local_secret.txt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
