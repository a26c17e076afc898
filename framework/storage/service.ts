import type { Readable } from 'node:stream';
import type { ByteRange } from '../support';

/**
 * Where blobs' bytes live. Every method takes a key the framework generated (keys.ts) and checks it before
 * touching anything; nothing here knows a file's name. `upload` consumes the stream with backpressure, so
 * a large file never sits in memory whole.
 */
export interface StorageService {
  /** The service's name in config/storage.toml (`disk`, `s3`...), recorded on each blob. */
  readonly name: string;
  upload(key: string, source: Readable): Promise<void>;
  /** The stored bytes (or the inclusive range of them) as a stream. */
  download(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the bytes; a key that is not there is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}
