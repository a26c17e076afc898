/**
 * stryke/storage: uploads and attachments (docs/uploads.md). Multipart forms stream their files into a
 * storage service (`disk` or `s3`, config/storage.toml) as Uploads; models hold them with
 * `@HasOneAttached`/`@HasManyAttached`; `urlFor` gives signed, expiring URLs served with Range support.
 */
import type { FastifyInstance } from 'fastify';
import type { AppRuntime } from '../http/internal';
import { registerMultipart } from './multipart';
import type { StorageRuntime } from './runtime';
import { registerBlobRoute } from './serve';

export { HasOneAttached, HasManyAttached, AttachedOne, AttachedMany, loadAttached, urlFor, type AttachmentKind } from './attached';
export { Upload, isUpload, storeStream, cleanFilename, type AttachSource, type StoreOptions } from './upload';
export { type StorageSettings, type UploadLimits } from './config';
export { storageRuntime, type StorageRuntime } from './runtime';
export { DiskService } from './disk';
export { S3Service, type S3Settings } from './s3';
export type { StorageService } from './service';
export { BlobStore, BLOBS_TABLE, ATTACHMENTS_TABLE, type Blob, type AttachmentRow } from './blobs';
export { createStorageTables, storageMigrationSource } from './migration';
export { generateKey, checkKey, isKey } from './keys';
export { sniffContentType, DEFAULT_ALLOWED_TYPES, INLINE_TYPES } from './sniff';
export { signedUrl, verifySignedToken, BLOBS_PATH, type UrlOptions, type SignedBlob } from './signed';
export { contentDisposition } from './serve';
/** Deletes blobs no record holds any more (what PurgeBlobsJob runs); the count purged. */
export function purgeBlobs(ids: number[]): Promise<number> {
  return (require('./purge') as typeof import('./purge')).purgeBlobs(ids);
}
export { StorageErrors } from './errors';

/**
 * The HTTP side, registered by the server at boot before the app's routes: multipart bodies (streamed to
 * storage, CSRF checked first, limits answering 413) and the signed blob URLs.
 */
export async function registerStorage(app: FastifyInstance, settings: { csrf: boolean; runtime: AppRuntime; storage: StorageRuntime }): Promise<void> {
  await registerMultipart(app, { csrf: settings.csrf, runtime: settings.runtime, storage: settings.storage.settings });
  registerBlobRoute(app, () => settings.storage);
}
