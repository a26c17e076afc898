import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './keys';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts and authenticates session data into a cookie value (AES-256-GCM, key derived from the app
 * secret). A tampered, truncated or foreign cookie decrypts to nothing: the request gets an empty session.
 */
export class SessionCodec {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = deriveKey(secret, 'cookie session');
  }

  encode(data: Record<string, unknown>): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  decode(value: string | undefined): Record<string, unknown> | undefined {
    if (!value || value.length > 8192) return undefined;
    try {
      const raw = Buffer.from(value, 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      const data = JSON.parse(text);
      return data && typeof data === 'object' && !Array.isArray(data) ? data : undefined;
    } catch {
      return undefined;
    }
  }
}

export interface SessionOptions {
  cookieName: string;
  secure: boolean;
  maxAgeSeconds?: number;
}

/**
 * One request's session: a plain object loaded lazily from the cookie, written back only when changed.
 */
export class Session {
  private data: Record<string, any>;
  dirty = false;

  constructor(data: Record<string, any> | undefined) {
    this.data = data ?? {};
  }

  get<T = any>(key: string): T | undefined {
    return this.data[key];
  }

  set(key: string, value: unknown): void {
    if (key === '__proto__' || key === 'constructor') return;
    this.data[key] = value;
    this.dirty = true;
  }

  delete(key: string): void {
    if (key in this.data) {
      delete this.data[key];
      this.dirty = true;
    }
  }

  /** Drops everything (log out). */
  reset(): void {
    this.data = {};
    this.dirty = true;
  }

  toJSON(): Record<string, unknown> {
    return this.data;
  }
}
