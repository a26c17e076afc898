import { join, resolve } from 'node:path';
import type { ConfigTree } from '../config';
import { DiskService } from './disk';
import { StorageErrors } from './errors';
import { S3Service } from './s3';
import type { StorageService } from './service';
import { DEFAULT_ALLOWED_TYPES } from './sniff';

/** Limits on one multipart request; each answers 413 when exceeded. */
export interface UploadLimits {
  /** Bytes per file (default 10 MiB). */
  fileSize: number;
  /** Files per request (default 10). */
  files: number;
  /** Non-file fields per request (default 200). */
  fields: number;
  /** Bytes per non-file field (default 1 MiB). */
  fieldSize: number;
}

export interface StorageSettings {
  /** The service new uploads go to. */
  service: StorageService;
  /** Every configured service by name (blobs record theirs, so old ones stay readable after a switch). */
  services: Map<string, StorageService>;
  limits: UploadLimits;
  /** Sniffed content types accepted; anything else answers 415. */
  allowedTypes: Set<string>;
  /** Seconds a signed URL stays valid. */
  urlExpiresIn: number;
}

const num = (v: unknown, fallback: number, what: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw StorageErrors.BAD_CONFIG(`${what} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
};

function buildService(root: string, name: string, raw: Record<string, any>): StorageService {
  const kind = String(raw.kind ?? raw.service ?? (name === 's3' ? 's3' : 'disk'));
  if (kind === 'disk') return new DiskService(name, resolve(root, String(raw.root ?? 'storage')));
  if (kind === 's3') {
    if (!raw.bucket) throw StorageErrors.BAD_CONFIG(`[services.${name}] needs a bucket`);
    return new S3Service(name, {
      bucket: String(raw.bucket),
      region: raw.region,
      endpoint: raw.endpoint,
      accessKeyId: raw.access_key_id ?? process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: raw.secret_access_key ?? process.env.AWS_SECRET_ACCESS_KEY,
      forcePathStyle: raw.force_path_style,
      partSize: raw.part_size === undefined ? undefined : num(raw.part_size, 0, `[services.${name}] part_size`),
      prefix: raw.prefix,
    });
  }
  throw StorageErrors.BAD_CONFIG(`[services.${name}] kind = "${kind}" is not a storage service: use "disk" or "s3"`);
}

/**
 * Reads config/storage.toml (all optional): `service` (the one new uploads use, default "disk"),
 * `[services.<name>]` tables (`kind = "disk"` with `root`, or `kind = "s3"` with `bucket`, `region`,
 * `endpoint`...), `allowed_types`, `url_expires_in` and `[limits]`. With no file an app stores under
 * `storage/` (`tmp/storage/` in the test environment). S3 services are built (and the SDK loaded) only when configured.
 */
export function storageSettings(root: string, config: ConfigTree, env = 'development'): StorageSettings {
  const raw = (config.storage ?? {}) as Record<string, any>;
  const declared = (raw.services ?? {}) as Record<string, Record<string, any>>;
  const services = new Map<string, StorageService>();
  // Tests keep their files under tmp/ (cleared with it), everything else under storage/.
  if (!declared.disk) services.set('disk', new DiskService('disk', join(root, env === 'test' ? 'tmp/storage' : 'storage')));
  for (const [name, s] of Object.entries(declared)) services.set(name, buildService(root, name, s ?? {}));
  const chosen = String(raw.service ?? 'disk');
  const service = services.get(chosen);
  if (!service) throw StorageErrors.UNKNOWN_SERVICE(chosen, [...services.keys()].join(', '), chosen);
  const limits = (raw.limits ?? {}) as Record<string, unknown>;
  const allowed = raw.allowed_types ?? DEFAULT_ALLOWED_TYPES;
  if (!Array.isArray(allowed)) throw StorageErrors.BAD_CONFIG('allowed_types must be a list of content types, e.g. ["image/png", "image/jpeg"]');
  return {
    service,
    services,
    limits: {
      fileSize: num(limits.file_size, 10 * 1024 * 1024, '[limits] file_size'),
      files: num(limits.files, 10, '[limits] files'),
      fields: num(limits.fields, 200, '[limits] fields'),
      fieldSize: num(limits.field_size, 1024 * 1024, '[limits] field_size'),
    },
    allowedTypes: new Set(allowed.map((t: unknown) => String(t).toLowerCase())),
    urlExpiresIn: num(raw.url_expires_in, 300, 'url_expires_in'),
  };
}
