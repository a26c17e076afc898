import { metaOf } from '../orm/internal';
import { registry } from '../registry';
import { BlobStore, type AttachmentRow, type Blob } from './blobs';
import { StorageErrors } from './errors';
import { storageRuntime } from './runtime';
import { signedUrl, type UrlOptions } from './signed';
import { isUpload, storeStream, toReadable, type AttachSource, type Upload } from './upload';

export type AttachmentKind = 'one' | 'many';

/** Per record, per attachment name: what is loaded, what waits for the next save, what the transaction did. */
interface State {
  /** Rows read (or written) for this record; undefined until loaded. */
  rows?: AttachmentRow[];
  /** Uploads to attach on the next save. */
  pending: Upload[];
  /** has-one: the next save detaches what is there (a new file, or `= null`). */
  replace: boolean;
  /** Uploads attached by a save whose transaction has not ended: deleted if it rolls back. */
  written: Upload[];
  /** Blobs detached in the transaction: purged after it commits. */
  detached: number[];
  handle?: AttachedOne | AttachedMany;
}

const STATE = Symbol.for('stryke.storage.state');
const HOOKS = Symbol.for('stryke.storage.hooks');

function states(record: any): Map<string, State> {
  return (record[STATE] ??= new Map<string, State>());
}

function stateOf(record: any, name: string): State {
  const all = states(record);
  let s = all.get(name);
  if (!s) all.set(name, (s = { pending: [], replace: false, written: [], detached: [] }));
  return s;
}

function storeFor(record: any): BlobStore {
  return new BlobStore(metaOf(record.constructor).db);
}

const recordType = (record: any) => (record.constructor as Function).name;
const recordId = (record: any) => record[metaOf(record.constructor).pk.property];

async function toUpload(source: Upload | AttachSource): Promise<Upload> {
  if (isUpload(source)) return source;
  if (!source || typeof source !== 'object' || !('io' in source) || !source.filename) throw StorageErrors.BAD_ATTACH_SOURCE(source === null ? 'null' : typeof source !== 'object' ? typeof source : 'an object without io and filename');
  const { settings } = storageRuntime('attach');
  return storeStream(toReadable(source.io), {
    filename: source.filename, declaredType: source.contentType, service: settings.service, allowedTypes: settings.allowedTypes, maxSize: settings.limits.fileSize,
  });
}

/** What the two handles share: loading, and attach-then-save for persisted records. */
abstract class Attached {
  constructor(protected readonly record: any, readonly name: string) {}

  protected get state(): State {
    return stateOf(this.record, this.name);
  }

  /** Whether the attachments were read (or written), so `blob`/`blobs` can be used synchronously (in a view). */
  get loaded(): boolean {
    return this.state.rows !== undefined;
  }

  /** Reads the attachments from the database (a new record has none). */
  async load(): Promise<this> {
    const s = this.state;
    if (this.record.isNewRecord) s.rows = [];
    else s.rows = await storeFor(this.record).attachmentsOf(recordType(this.record), [recordId(this.record)], this.name);
    return this;
  }

  protected rows(): AttachmentRow[] {
    const rows = this.state.rows;
    if (rows === undefined) {
      if (this.record.isNewRecord) return [];
      throw StorageErrors.NOT_LOADED(recordType(this.record), this.name, this.name, this.name);
    }
    return rows;
  }

  protected async saveIfPersisted(): Promise<void> {
    if (this.record.isPersisted) await this.record.saveOrFail({ validate: false });
  }
}

/** `record.avatar` of `@HasOneAttached('avatar')`. */
export class AttachedOne extends Attached {
  /** Whether a file is attached (or waits for the next save). */
  get attached(): boolean {
    const s = this.state;
    if (s.pending.length) return true;
    if (s.replace) return false;
    return this.rows().length > 0;
  }

  /** The attached blob (undefined when none); throws STRYKE_E_STORAGE_NOT_LOADED until loaded. */
  get blob(): Blob | undefined {
    return this.rows()[0]?.blob;
  }

  get filename(): string | undefined { return this.blob?.filename; }
  get contentType(): string | undefined { return this.blob?.contentType; }
  get byteSize(): number | undefined { return this.blob?.byteSize; }

  /** Sets the file (replacing the one there, which is purged after commit); a saved record is saved now. */
  async attach(source: Upload | AttachSource): Promise<void> {
    const upload = await toUpload(source);
    const s = this.state;
    s.pending = [upload];
    s.replace = true;
    await this.saveIfPersisted();
  }

  /** Detaches the file now and purges its bytes after commit. */
  async purge(): Promise<void> {
    const s = this.state;
    s.pending = [];
    s.replace = true;
    await this.saveIfPersisted();
  }

  /** A signed, expiring URL for the file (see urlFor). */
  url(options?: UrlOptions): string | undefined {
    const blob = this.blob;
    return blob ? signedUrl(blob, options) : undefined;
  }
}

/** `record.photos` of `@HasManyAttached('photos')`. */
export class AttachedMany extends Attached {
  get attached(): boolean {
    return this.state.pending.length > 0 || this.rows().length > 0;
  }

  get blobs(): Blob[] {
    return this.rows().map((r) => r.blob);
  }

  get length(): number {
    return this.rows().length;
  }

  /** Adds files (kept with those already attached); a saved record is saved now. */
  async attach(...sources: (Upload | AttachSource)[]): Promise<void> {
    const uploads = await Promise.all(sources.map(toUpload));
    this.state.pending.push(...uploads);
    await this.saveIfPersisted();
  }

  /** Detaches every file now and purges the bytes after commit. */
  async purge(): Promise<void> {
    const s = this.state;
    s.pending = [];
    s.replace = true;
    await this.saveIfPersisted();
  }

  /** Signed URLs of every file, in the order attached. */
  urls(options?: UrlOptions): string[] {
    return this.blobs.map((b) => signedUrl(b, options));
  }
}

// ---- the model side: decorators, accessors and the callbacks that write, commit and roll back ----

async function afterSave(this: any): Promise<void> {
  const map: Map<string, State> | undefined = this[STATE];
  if (!map) return;
  let store: BlobStore | undefined;
  for (const [name, s] of map) {
    if (!s.pending.length && !s.replace) continue;
    store ??= storeFor(this);
    const type = recordType(this);
    const id = recordId(this);
    if (s.replace) {
      const existing = await store.attachmentsOf(type, [id], name);
      await store.deleteAttachments(existing.map((r) => r.id));
      s.detached.push(...existing.map((r) => r.blob.id));
      s.rows = [];
    }
    for (const upload of s.pending) {
      const blob = await store.insertBlob(upload);
      const attachmentId = await store.insertAttachment(name, type, id, blob.id);
      s.written.push(upload);
      s.rows?.push({ id: attachmentId, name, recordId: String(id), blob });
    }
    s.pending = [];
    s.replace = false;
  }
}

async function beforeDestroy(this: any): Promise<void> {
  const meta = metaOf(this.constructor);
  if (meta.softDelete) return; // a soft-deleted record keeps its files (they go with reallyDestroy's row only if purged)
  const store = storeFor(this);
  const rows = await store.attachmentsOf(recordType(this), [recordId(this)]);
  if (!rows.length) return;
  await store.deleteAttachments(rows.map((r) => r.id));
  for (const r of rows) stateOf(this, r.name).detached.push(r.blob.id);
}

async function afterCommit(this: any): Promise<void> {
  const map: Map<string, State> | undefined = this[STATE];
  if (!map) return;
  const purge: number[] = [];
  for (const s of map.values()) {
    for (const u of s.written) u.attached = true;
    s.written = [];
    purge.push(...s.detached);
    s.detached = [];
  }
  // Loaded with the first model that declares an attachment (see declare), so apps without any skip the jobs layer.
  if (purge.length) await (require('./purge') as typeof import('./purge')).purgeLater(purge);
}

async function afterRollback(this: any): Promise<void> {
  const map: Map<string, State> | undefined = this[STATE];
  if (!map) return;
  for (const s of map.values()) {
    // The blob rows went with the transaction; their bytes go now, so nothing is left orphaned.
    await Promise.all(s.written.map((u) => u.discard().catch(() => {})));
    s.written = [];
    s.detached = [];
    s.rows = undefined;
  }
}

function installHooks(proto: any, decl: ReturnType<typeof registry.model>): void {
  if (Object.prototype.hasOwnProperty.call(proto, HOOKS)) return;
  Object.defineProperty(proto, HOOKS, { value: true });
  const methods: [string, string, Function][] = [
    ['afterSave', 'storageAfterSave', afterSave], ['beforeDestroy', 'storageBeforeDestroy', beforeDestroy],
    ['afterCommit', 'storageAfterCommit', afterCommit], ['afterRollback', 'storageAfterRollback', afterRollback],
  ];
  for (const [event, method, fn] of methods) {
    Object.defineProperty(proto, method, { value: fn, configurable: true, writable: true, enumerable: false });
    decl.callbacks.push({ event, method });
  }
}

function declare(kind: AttachmentKind, explicit: string | undefined, target: Function, property?: string): void {
  const name = explicit ?? property;
  if (!name || !/^[A-Za-z_$][\w$]*$/.test(name)) throw StorageErrors.BAD_ATTACHMENT(target.name, String(name), 'an attachment needs a name: @HasOneAttached(\'avatar\') on the class, or @HasOneAttached() on a property');
  const decl = registry.model(target);
  if (decl.fields.some((f) => f.property === name)) throw StorageErrors.BAD_ATTACHMENT(target.name, name, 'a field of that name exists: an attachment is stored apart, choose another name');
  decl.attachments = (decl.attachments ?? []).filter((a) => a.name !== name).concat({ name, kind });
  installHooks(target.prototype, decl);
  require('./purge'); // registers PurgeBlobsJob, so this process's job workers can run it
  Object.defineProperty(target.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: any) {
      const s = stateOf(this, name);
      return (s.handle ??= kind === 'one' ? new AttachedOne(this, name) : new AttachedMany(this, name));
    },
    set(this: any, value: unknown) {
      const s = stateOf(this, name);
      const list = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== '');
      if (kind === 'one') {
        if (value === null) {
          s.pending = [];
          s.replace = true;
          return;
        }
        const upload = list.find(isUpload);
        if (upload) {
          s.pending = [upload];
          s.replace = true;
        }
        return;
      }
      s.pending.push(...list.filter(isUpload));
    },
  });
}

function decorator(kind: AttachmentKind, name?: string) {
  return ((target: any, property?: string | symbol) => {
    if (typeof target === 'function') declare(kind, name, target);
    else declare(kind, name, target.constructor, String(property));
  }) as ClassDecorator & PropertyDecorator;
}

/**
 * One file on each record, stored apart from the row (Active Storage's `has_one_attached`). Assign an
 * upload from `this.params` (or `await post.cover.attach(upload)`); read `post.cover.blob` after
 * `await post.cover.load()`; link it with `urlFor(post.cover)`. Destroying the record purges the file
 * after commit (through a job when the app has jobs).
 * @example @Model('posts') @HasOneAttached('cover') export class Post extends ApplicationModel { declare cover: AttachedOne; }
 */
export function HasOneAttached(name?: string): ClassDecorator & PropertyDecorator {
  return decorator('one', name);
}

/** Many files on each record (`has_many_attached`): `post.photos.attach(...uploads)`, `post.photos.blobs`. */
export function HasManyAttached(name?: string): ClassDecorator & PropertyDecorator {
  return decorator('many', name);
}

/**
 * Loads one attachment for many records in one query (no query per record): a list page's covers.
 * @example const posts = await Post.recent(); await loadAttached(posts, 'cover');
 */
export async function loadAttached(records: readonly any[], name: string): Promise<void> {
  const saved = records.filter((r) => r && !r.isNewRecord);
  for (const r of records) if (r?.isNewRecord) stateOf(r, name).rows = [];
  if (!saved.length) return;
  const byType = new Map<Function, any[]>();
  for (const r of saved) byType.set(r.constructor, [...(byType.get(r.constructor) ?? []), r]);
  for (const [model, list] of byType) {
    const rows = await new BlobStore(metaOf(model).db).attachmentsOf(model.name, list.map(recordId), name);
    const byId = new Map<string, AttachmentRow[]>();
    for (const row of rows) byId.set(row.recordId, [...(byId.get(row.recordId) ?? []), row]);
    for (const r of list) stateOf(r, name).rows = byId.get(String(recordId(r))) ?? [];
  }
}

/**
 * A signed, expiring URL for an attached file, a blob or an upload (undefined when nothing is attached).
 * @example urlFor(post.cover)   urlFor(post.cover, { disposition: 'attachment', expiresIn: 60 })
 */
export function urlFor(file: AttachedOne | Blob | Upload | undefined | null, options?: UrlOptions): string | undefined {
  if (!file) return undefined;
  if (file instanceof AttachedOne) return file.url(options);
  if (isUpload(file)) return signedUrl({ ...file, byteSize: file.size, service: file.service.name, key: file.key, filename: file.filename, contentType: file.contentType }, options);
  return signedUrl(file as Blob, options);
}
