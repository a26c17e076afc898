import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTree, parse, sealTree, stringify, type Tree } from './cipher';
import { CredentialsErrors } from './errors';

export const CREDENTIALS_FILE = join('config', 'credentials.toml.enc');
export const KEY_FILE = join('config', 'master.key');
export const KEY_ENV = 'STRYKE_MASTER_KEY';

const HEADER = [
  '# stryke credentials (docs/credentials.md). Change them with `stryke credentials edit`, read them with',
  '# `stryke credentials show`; the key is STRYKE_MASTER_KEY or config/master.key, never committed.',
  '# Each value is encrypted on its own (AES-256-GCM), bound to its key path; the keys stay readable, so',
  '# branches that add different keys merge like any other file.',
  '',
  '',
].join('\n');

export interface MasterKey {
  key: Buffer;
  /** Where it came from, for messages: `STRYKE_MASTER_KEY` or `config/master.key`. */
  source: string;
}

/** The master key from STRYKE_MASTER_KEY, else config/master.key; undefined when neither is there. */
export function readMasterKey(root: string, env: NodeJS.ProcessEnv = process.env): MasterKey | undefined {
  let text: string;
  let source: string;
  if (env[KEY_ENV]) {
    text = env[KEY_ENV]!;
    source = KEY_ENV;
  } else if (existsSync(join(root, KEY_FILE))) {
    text = readFileSync(join(root, KEY_FILE), 'utf8');
    source = 'config/master.key';
  } else {
    return undefined;
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw CredentialsErrors.BAD_KEY(source, /^[0-9a-fA-F]*$/.test(hex) ? `${hex.length} characters` : 'characters that are not hexadecimal');
  }
  return { key: Buffer.from(hex, 'hex'), source };
}

export function generateKey(): string {
  return randomBytes(32).toString('hex');
}

export interface Credentials {
  /** The decrypted values. */
  plain: Tree;
  /** The file as stored (each value encrypted), to keep unchanged values' ciphertexts on write. */
  sealed: Tree;
}

/** Reads and decrypts config/credentials.toml.enc with `key`; every failure is one coded line naming the file. */
export function openCredentials(root: string, key: MasterKey): Credentials {
  let sealed: Tree;
  try {
    sealed = parse(readFileSync(join(root, CREDENTIALS_FILE), 'utf8'));
  } catch (err) {
    throw CredentialsErrors.PARSE((err as Error).message.split('\n')[0]);
  }
  const opened = openTree(key.key, sealed);
  if ('notEncrypted' in opened && opened.notEncrypted) throw CredentialsErrors.NOT_ENCRYPTED(opened.notEncrypted.join('.'));
  if ('failed' in opened && opened.failed) {
    const which = opened.failed.map((p) => p.join('.'));
    const why = opened.failed.length > 1 && opened.failed.length === opened.total
      ? `none of its ${opened.total} values decrypts`
      : `${which.slice(0, 3).join(', ')}${which.length > 3 ? ` and ${which.length - 3} more` : ''} did not decrypt`;
    throw CredentialsErrors.UNREADABLE(key.source, why);
  }
  return { plain: opened.plain!, sealed };
}

/**
 * The app's credentials for config: the decrypted tree, `{}` without a credentials file, or undefined when
 * the file exists but no key is given (allowed outside production: the app boots on its development
 * fallbacks, and whatever needs a credential says so). A wrong or short key, or a changed file, throws.
 */
export function loadCredentials(root: string, env: string, vars: NodeJS.ProcessEnv = process.env): Tree | undefined {
  const hasFile = existsSync(join(root, CREDENTIALS_FILE));
  const key = readMasterKey(root, vars);
  if (!hasFile) return {};
  if (!key) {
    if (env === 'production') throw CredentialsErrors.KEY_MISSING();
    return undefined;
  }
  return openCredentials(root, key).plain;
}

/** Writes the credentials, encrypted, through a temporary file renamed into place (never half-written). */
export function writeCredentials(root: string, key: MasterKey, plain: Tree, previous?: Credentials): void {
  const sealed = sealTree(key.key, plain, previous);
  const file = join(root, CREDENTIALS_FILE);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, HEADER + stringify(sealed), { mode: 0o644 });
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * For `stryke new` and a first `stryke credentials edit`: a new master key (config/master.key, readable by
 * its owner only) and a credentials file holding a fresh `secret_key_base`. Returns the files written.
 */
export function createCredentials(root: string): string[] {
  const hex = generateKey();
  writeFileSync(join(root, KEY_FILE), `${hex}\n`, { mode: 0o600, flag: 'wx' });
  writeCredentials(root, { key: Buffer.from(hex, 'hex'), source: 'config/master.key' }, { secret_key_base: randomBytes(64).toString('hex') });
  return ['config/master.key', 'config/credentials.toml.enc'];
}
