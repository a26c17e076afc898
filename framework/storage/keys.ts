import { randomBytes } from 'node:crypto';
import { StorageErrors } from './errors';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 28;
const KEY_RE = /^[a-z0-9]{28}$/;

/**
 * A new storage key: 28 random characters from [a-z0-9] (about 144 bits), as Active Storage does. Keys never
 * derive from the uploaded file's name, so no name (`../../etc/passwd`, `a/b`, NUL) can choose where bytes land.
 */
export function generateKey(): string {
  // 252 = 7 * 36: bytes at or above it are dropped so every character is equally likely.
  let out = '';
  while (out.length < KEY_LENGTH) {
    for (const b of randomBytes(KEY_LENGTH * 2)) {
      if (b < 252 && out.length < KEY_LENGTH) out += ALPHABET[b % 36];
    }
  }
  return out;
}

/** Refuses anything that is not a generated key (STRYKE_E_STORAGE_BAD_KEY): every service checks before it touches a path. */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key)) throw StorageErrors.BAD_KEY(String(key).slice(0, 80));
  return key;
}

export function isKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_RE.test(key);
}
