import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '../support';
import { checkKey } from './keys';
import type { StorageService } from './service';

/**
 * Files on the local disk, under `root` (the app's `storage/` by default), spread over two levels of
 * folders named by the key's first four characters (`storage/ab/cd/abcd...`), as Active Storage does.
 */
export class DiskService implements StorageService {
  readonly root: string;

  constructor(readonly name: string, root: string) {
    this.root = resolve(root);
  }

  /** The file for a key: only ever a generated key, and checked to lie under the root. */
  path(key: string): string {
    checkKey(key);
    const file = join(this.root, key.slice(0, 2), key.slice(2, 4), key);
    if (!file.startsWith(this.root + sep)) throw new Error('unreachable: a checked key left the storage root');
    return file;
  }

  async upload(key: string, source: Readable): Promise<void> {
    const file = this.path(key);
    await mkdir(join(file, '..'), { recursive: true });
    try {
      // `wx`: a key is never reused, so an existing file is an error, never overwritten.
      await pipeline(source, createWriteStream(file, { flags: 'wx', mode: 0o640 }));
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  async download(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.path(key);
    const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((ok, fail) => stream.once('open', () => ok()).once('error', fail));
    return stream;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return (await stat(this.path(key)).catch(() => undefined))?.isFile() ?? false;
  }
}
