import { hkdfSync } from 'node:crypto';

/** Derives a purpose-bound 32-byte key from the app's secret (HKDF-SHA256), like Rails' key generator. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'stryke', purpose, 32));
}
