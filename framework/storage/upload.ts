import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { StorageErrors } from './errors';
import { generateKey } from './keys';
import type { StorageService } from './service';
import { SNIFF_BYTES, sniffContentType } from './sniff';

/** Marks upload objects, so request parameters keep them whole (http/params.ts treats them as values). */
export const UPLOAD = Symbol.for('stryke.upload');

/**
 * A file that arrived with a request (or was stored by `attach`): its bytes are already in storage under
 * a generated key. Attach it to a record (`post.cover = upload`, then save; or `await post.cover.attach(upload)`);
 * an upload still unattached when its request has been answered is deleted.
 */
export class Upload {
  readonly [UPLOAD] = true;
  /** Whether a saved record holds it (its blob row committed). */
  attached = false;
  /** Set once its bytes were removed from storage. */
  discarded = false;

  constructor(
    /** The storage key (generated; never from the file name). */
    readonly key: string,
    /** The name the client gave, kept only for display and Content-Disposition. */
    readonly filename: string,
    /** The type sniffed from the first bytes: what the file is, whatever it claimed. */
    readonly contentType: string,
    /** The type the client claimed. */
    readonly declaredType: string,
    readonly size: number,
    /** SHA-256 of the bytes, base64. */
    readonly checksum: string,
    readonly service: StorageService,
  ) {}

  /** The stored bytes, streamed. */
  open(): Promise<Readable> {
    return this.service.download(this.key);
  }

  /** Removes the bytes unless a record holds them. */
  async discard(): Promise<void> {
    if (this.attached || this.discarded) return;
    this.discarded = true;
    await this.service.delete(this.key);
  }

  toJSON() {
    return { filename: this.filename, contentType: this.contentType, size: this.size };
  }
}

export function isUpload(v: unknown): v is Upload {
  return !!v && typeof v === 'object' && (v as any)[UPLOAD] === true;
}

/** Counts, hashes and sniffs the bytes on their way to storage, refusing a disallowed type or an oversized file. */
class Meter extends Transform {
  size = 0;
  type: string | undefined;
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly filename: string, private readonly maxSize: number, private readonly allowed: Set<string>) {
    super();
  }

  get checksum(): string {
    return this.hash.digest('base64');
  }

  private decide(): Error | undefined {
    const head = Buffer.concat(this.head, this.headLength);
    this.type = sniffContentType(head.subarray(0, SNIFF_BYTES));
    if (!this.allowed.has(this.type)) return StorageErrors.TYPE_NOT_ALLOWED(this.filename, this.type, [...this.allowed].join(', '));
    this.head = [];
    this.push(head);
    return undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxSize) return done(StorageErrors.FILE_TOO_LARGE(this.filename, this.maxSize));
    this.hash.update(chunk);
    if (this.type !== undefined) return done(null, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SNIFF_BYTES) return done();
    done(this.decide());
  }

  override _flush(done: TransformCallback): void {
    done(this.type === undefined ? this.decide() : undefined);
  }
}

export interface StoreOptions {
  filename: string;
  declaredType?: string;
  service: StorageService;
  allowedTypes: Set<string>;
  maxSize: number;
}

/** Streams `source` into `service` under a new key: sniffed, allow-listed, counted, hashed. The upload, or a coded error (nothing left stored). */
export async function storeStream(source: Readable, options: StoreOptions): Promise<Upload> {
  const key = generateKey();
  const meter = new Meter(options.filename, options.maxSize, options.allowedTypes);
  // The meter can refuse the bytes before the service has attached its own listeners (a disk service
  // first creates its folder): the first error is kept here, and is the one reported.
  let failed: unknown;
  meter.on('error', (err) => (failed ??= err));
  source.on('error', (err) => meter.destroy(err));
  try {
    await options.service.upload(key, source.pipe(meter));
  } catch (err) {
    failed ??= err;
  }
  if (failed) {
    source.unpipe(meter);
    source.resume(); // drain what is left of this part, so the request's other parts can be read or the reply sent
    await options.service.delete(key).catch(() => {});
    throw failed;
  }
  return new Upload(key, cleanFilename(options.filename), meter.type!, options.declaredType ?? 'application/octet-stream', meter.size, meter.checksum, options.service);
}

/** A file name fit to keep: its last path segment, without control characters, at most 255 characters. */
export function cleanFilename(name: string): string {
  const base = String(name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** Something `attach` accepts besides an Upload: bytes or a stream with a name. */
export interface AttachSource {
  io: Readable | Buffer | string;
  filename: string;
  contentType?: string;
}

export function toReadable(io: AttachSource['io']): Readable {
  return typeof io === 'string' || Buffer.isBuffer(io) ? Readable.from([Buffer.from(io)]) : io;
}
