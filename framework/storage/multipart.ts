import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IParseOptions } from 'qs';
import type { AppRuntime } from '../http/internal';
import { CSRF_FIELD, crossSiteOrigin, verifyToken } from '../security';
import { SecurityErrors } from '../security';
import { Session } from '../security';
import type { StorageSettings } from './config';
import { StorageErrors } from './errors';
import { storeStream, type Upload } from './upload';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The uploads a request stored, discarded when it has been answered unless a record attached them. */
const UPLOADS = Symbol.for('stryke.storage.uploads');

export interface MultipartSettings {
  csrf: boolean;
  storage: StorageSettings;
  runtime: AppRuntime;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const prefix = `${name}=`;
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return p.slice(prefix.length);
  }
  return undefined;
}

/** @fastify/multipart's limit errors, as stryke's coded ones (each a 413 through the app's error pages). */
function limitError(err: any, settings: StorageSettings): Error {
  const { limits } = settings;
  switch (err?.code) {
    case 'FST_FILES_LIMIT': return StorageErrors.TOO_MANY_FILES(limits.files);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT': return StorageErrors.TOO_MANY_FIELDS(limits.fields, limits.fieldSize);
    case 'FST_PROTO_VIOLATION': return StorageErrors.BAD_MULTIPART('a field name reaches an object prototype');
    default: return err?.code?.startsWith?.('STRYKE_E_') ? err : StorageErrors.BAD_MULTIPART(String(err?.message ?? err));
  }
}

/**
 * `multipart/form-data` bodies: @fastify/multipart (busboy) reads the parts as they arrive, and this hook
 * streams each file into the app's storage service (never whole in memory) while the other fields
 * gather into `req.body`, nested Rails-style (`post[title]`) by qs, each file an Upload. So `this.params`,
 * `_method` tunnelling and strong parameters see a multipart form as they see a urlencoded one.
 *
 * CSRF comes first: on a state-changing route the token is checked before any file byte is stored, from
 * the X-CSRF-Token header or else from the authenticity_token field, which must precede the files (formFor
 * writes it first; browsers send fields in document order). A file before a valid token answers 403, and a
 * form that never sends one is refused after the parts. The controller pipeline's own check runs as well.
 */
export async function registerMultipart(app: FastifyInstance, settings: MultipartSettings): Promise<void> {
  const { limits } = settings.storage;
  await app.register(require('@fastify/multipart'), {
    // One byte over the limit reaches the meter, which refuses it with a coded 413 (upload.ts).
    limits: { fileSize: limits.fileSize + 1, files: limits.files, fields: limits.fields, fieldSize: limits.fieldSize, parts: limits.files + limits.fields },
    throwFileSizeLimit: false,
  });
  let qs: typeof import('qs') | undefined;
  const rt = settings.runtime;

  app.addHook('preValidation', async (req: FastifyRequest) => {
    // Files are taken only by requests that change state (and so are CSRF-checked): a GET never stores one.
    if (!(req as any).isMultipart?.() || SAFE_METHODS.has(req.method)) return;
    const protect = settings.csrf;
    let session: Session | undefined;
    let verified = !protect;
    if (protect) {
      const origin = crossSiteOrigin(req.headers);
      if (origin !== undefined) throw SecurityErrors.CSRF_CROSS_SITE(origin);
      session = new Session(rt.sessions.decode(readCookie(req.headers.cookie, rt.sessionCookie.name)));
      const header = req.headers['x-csrf-token'];
      if (header !== undefined) {
        if (!verifyToken(session, header)) throw SecurityErrors.CSRF_TOKEN_INVALID();
        verified = true;
      }
    }
    const uploads: Upload[] = [];
    (req as any)[UPLOADS] = uploads;
    const nonce = randomBytes(9).toString('base64url');
    const pairs: string[] = [];
    try {
      for await (const part of (req as any).parts() as AsyncIterable<any>) {
        const name = String(part.fieldname);
        if (part.type === 'field') {
          if (part.valueTruncated || part.fieldnameTruncated) throw StorageErrors.TOO_MANY_FIELDS(limits.fields, limits.fieldSize);
          const value = String(part.value ?? '');
          if (name === CSRF_FIELD && !verified) {
            if (!verifyToken(session!, value)) throw SecurityErrors.CSRF_TOKEN_INVALID();
            verified = true;
          }
          pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
          continue;
        }
        if (!verified) {
          part.file.resume();
          throw StorageErrors.TOKEN_AFTER_FILES();
        }
        if (!part.filename) {
          // A file input left empty: browsers send a part with no name and no bytes. It is no file.
          part.file.resume();
          continue;
        }
        const upload = await storeStream(part.file, {
          filename: part.filename, declaredType: part.mimetype, service: settings.storage.service,
          allowedTypes: settings.storage.allowedTypes, maxSize: limits.fileSize,
        });
        uploads.push(upload);
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(`\u0000${nonce}:${uploads.length - 1}`)}`);
      }
    } catch (err) {
      await discardAll(uploads);
      throw limitError(err, settings.storage);
    }
    if (!verified) throw SecurityErrors.CSRF_TOKEN_INVALID();
    qs ??= require('qs') as typeof import('qs');
    const options: IParseOptions = { allowPrototypes: false, depth: 8, arrayLimit: 100, parameterLimit: pairs.length + 1, duplicates: 'last' };
    const body = qs.parse(pairs.join('&'), options);
    (req as any).body = placeUploads(body, `\u0000${nonce}:`, uploads);
  });

  const cleanup = async (req: FastifyRequest) => {
    const uploads = (req as any)[UPLOADS] as Upload[] | undefined;
    if (uploads?.length) await discardAll(uploads);
  };
  app.addHook('onResponse', cleanup);
  app.addHook('onRequestAbort', cleanup);
}

async function discardAll(uploads: Upload[]): Promise<void> {
  await Promise.all(uploads.map((u) => u.discard().catch(() => {})));
}

/** Replaces each file's placeholder in the parsed fields with its Upload. */
function placeUploads(value: unknown, marker: string, uploads: Upload[]): any {
  if (typeof value === 'string') {
    if (!value.startsWith(marker)) return value;
    return uploads[Number(value.slice(marker.length))] ?? '';
  }
  if (Array.isArray(value)) return value.map((v) => placeUploads(v, marker, uploads));
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) (value as any)[k] = placeUploads((value as any)[k], marker, uploads);
  }
  return value;
}
