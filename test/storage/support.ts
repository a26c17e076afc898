import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestApp, type TestApp } from 'stryke/testing';
import type { DatabaseConfig } from 'stryke/orm';

export const STORAGE_APP = resolve(__dirname, '../../../test/fixtures/storage_app');
process.env.SECRET_KEY_BASE ??= 's'.repeat(64);

/** A PNG's first bytes (the signature and an IHDR chunk start), then `size` bytes of filler. */
export function png(size = 64): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const body = Buffer.alloc(Math.max(0, size - head.length));
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
  return Buffer.concat([head, body]);
}

export interface StorageApp {
  app: TestApp;
  /** Where the fixture's disk service keeps files. */
  storageDir: string;
}

/** The storage fixture app, on its own database and its own storage folder. */
export async function bootStorageApp(database?: DatabaseConfig): Promise<StorageApp> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-storage-'));
  const storageDir = join(dir, 'files');
  process.env.STRYKE_TEST_STORAGE_DIR = storageDir;
  const app = await createTestApp({ root: STORAGE_APP, database: database ?? { adapter: 'sqlite', database: join(dir, 'db.sqlite3') } });
  return { app, storageDir };
}

/** Every file under a folder (the stored blobs). */
export function filesUnder(dir: string): string[] {
  const { readdirSync, existsSync } = require('node:fs') as typeof import('node:fs');
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile()).map((d) => join((d as any).parentPath ?? (d as any).path, d.name));
}

/** A real, decodable PNG of `width` x `height` pixels (for browsers): IHDR, one zlib IDAT, IEND. */
export function realPng(width = 4, height = 3): Buffer {
  const { deflateSync } = require('node:zlib') as typeof import('node:zlib');
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([200, 40 + y * 40, 90 + x * 30], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}
