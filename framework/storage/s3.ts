import { Readable } from 'node:stream';
import type { ByteRange } from '../support';
import { checkKey } from './keys';
import type { StorageService } from './service';

type S3Module = typeof import('@aws-sdk/client-s3');
/** The AWS SDK (a few hundred modules), required when an S3 service is first built, never at boot otherwise. */
let sdk: S3Module | undefined;

export interface S3Settings {
  bucket: string;
  region?: string;
  /** Any S3-compatible server (MinIO, R2, s3rver...): its URL. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key` (what most S3-compatible servers want). */
  forcePathStyle?: boolean;
  /** Bytes per part of a multipart upload (at least 5 MiB, S3's minimum): the most an upload holds in memory. */
  partSize?: number;
  /** A folder inside the bucket for this app's keys. */
  prefix?: string;
}

const MIN_PART = 5 * 1024 * 1024;

/**
 * An S3 bucket through the AWS SDK v3. Uploads of unknown length go up as a multipart upload, one part of
 * `partSize` bytes at a time (the stream waits while a part is sent), so memory stays at one part however
 * large the file; a file smaller than one part is one PutObject.
 */
export class S3Service implements StorageService {
  private readonly client: import('@aws-sdk/client-s3').S3Client;
  private readonly partSize: number;

  constructor(readonly name: string, private readonly settings: S3Settings) {
    sdk ??= require('@aws-sdk/client-s3') as S3Module;
    const credentials = settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined;
    this.client = new sdk.S3Client({
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      forcePathStyle: settings.forcePathStyle ?? !!settings.endpoint,
    });
    this.partSize = Math.max(MIN_PART, settings.partSize ?? MIN_PART);
  }

  private objectKey(key: string): string {
    checkKey(key);
    return this.settings.prefix ? `${this.settings.prefix.replace(/\/+$/, '')}/${key}` : key;
  }

  async upload(key: string, source: Readable): Promise<void> {
    const Key = this.objectKey(key);
    const Bucket = this.settings.bucket;
    const s3 = sdk!;
    let chunks: Buffer[] = [];
    let held = 0;
    let uploadId: string | undefined;
    const parts: { ETag?: string; PartNumber: number }[] = [];
    const sendPart = async (body: Buffer) => {
      if (!uploadId) uploadId = (await this.client.send(new s3.CreateMultipartUploadCommand({ Bucket, Key }))).UploadId;
      const PartNumber = parts.length + 1;
      const out = await this.client.send(new s3.UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }));
      parts.push({ ETag: out.ETag, PartNumber });
    };
    try {
      for await (const chunk of source) {
        chunks.push(chunk as Buffer);
        held += (chunk as Buffer).length;
        if (held >= this.partSize) {
          const all = Buffer.concat(chunks, held);
          chunks = [];
          held = 0;
          await sendPart(all);
        }
      }
      const rest = Buffer.concat(chunks, held);
      chunks = [];
      if (!uploadId) {
        await this.client.send(new s3.PutObjectCommand({ Bucket, Key, Body: rest, ContentLength: rest.length }));
        return;
      }
      if (rest.length) await sendPart(rest);
      await this.client.send(new s3.CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      if (uploadId) await this.client.send(new s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
      throw err;
    }
  }

  async download(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(new sdk!.GetObjectCommand({
      Bucket: this.settings.bucket, Key: this.objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
    }));
    const body = out.Body as unknown;
    if (body instanceof Readable) return body;
    return Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new sdk!.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new sdk!.HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return false;
      throw err;
    }
  }
}
