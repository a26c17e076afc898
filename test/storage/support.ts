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
