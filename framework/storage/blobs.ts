import type { Database } from '../orm';
import type { FieldDecl } from '../registry';
import { StorageErrors } from './errors';
import type { Upload } from './upload';

export const BLOBS_TABLE = 'storage_blobs';
export const ATTACHMENTS_TABLE = 'storage_attachments';

/** A stored file's row: what it is and where its bytes live. Attachments point records at blobs. */
export interface Blob {
  id: number;
  key: string;
  filename: string;
  contentType: string;
  byteSize: number;
  /** SHA-256 of the bytes, base64. */
  checksum: string;
  /** The service (config/storage.toml) holding the bytes. */
  service: string;
  createdAt: Date;
}

export interface AttachmentRow {
  id: number;
  name: string;
  recordId: string;
  blob: Blob;
}

const DATETIME = { property: 'createdAt', column: 'createdAt', type: 'datetime', primary: false, nullable: false } as FieldDecl;

function toBlob(row: Record<string, any>, prefix = ''): Blob {
  const v = (c: string) => row[`${prefix}${c}`];
  const created = v('createdAt');
  return {
    id: Number(v('id')), key: String(v('key')), filename: String(v('filename')), contentType: String(v('contentType')),
    byteSize: Number(v('byteSize')), checksum: String(v('checksum')), service: String(v('service')),
    createdAt: created instanceof Date ? created : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(String(created)) ? String(created) : `${String(created).replace(' ', 'T')}Z`),
  };
}

/** Runs a statement, turning "no such table" into STRYKE_E_STORAGE_TABLES_MISSING (the app has not run the storage migration). */
async function run(db: Database, sql: string, binds: unknown[]) {
  try {
    return await db.run(sql, binds);
  } catch (err) {
    if (/no such table|does not exist|doesn't exist/i.test(String((err as Error).message)) && /storage_(blobs|attachments)/.test(String((err as Error).message))) {
      throw Object.assign(StorageErrors.TABLES_MISSING(), { cause: err });
    }
    throw err;
  }
}

/** SQL over the blobs and attachments tables, written once per database (bound values only). */
export class BlobStore {
  private readonly q: (id: string) => string;
  private readonly p: (n: number) => string;
  private readonly blobs: string;
  private readonly attachments: string;

  constructor(readonly db: Database) {
    this.q = db.dialect.quote;
    this.p = db.dialect.placeholder;
    this.blobs = this.q(BLOBS_TABLE);
    this.attachments = this.q(ATTACHMENTS_TABLE);
  }

  private now(): unknown {
    return this.db.dialect.toDb(new Date(), DATETIME);
  }

  async insertBlob(upload: Upload): Promise<Blob> {
    const { q, p } = this;
    const cols = ['key', 'filename', 'contentType', 'byteSize', 'checksum', 'service', 'createdAt'];
    const now = new Date();
    const values = [upload.key, upload.filename, upload.contentType, upload.size, upload.checksum, upload.service.name, this.db.dialect.toDb(now, DATETIME)];
    let sql = `INSERT INTO ${this.blobs} (${cols.map(q).join(', ')}) VALUES (${cols.map((_, i) => p(i + 1)).join(', ')})`;
    if (this.db.dialect.returning) sql += ` RETURNING ${q('id')}`;
    const out = await run(this.db, sql, values);
    const id = Number(this.db.dialect.returning ? out.rows[0]!.id : out.insertId);
    return { id, key: upload.key, filename: upload.filename, contentType: upload.contentType, byteSize: upload.size, checksum: upload.checksum, service: upload.service.name, createdAt: now };
  }

  async insertAttachment(name: string, recordType: string, recordId: unknown, blobId: number): Promise<number> {
    const { q, p } = this;
    const cols = ['name', 'recordType', 'recordId', 'blobId', 'createdAt'];
    let sql = `INSERT INTO ${this.attachments} (${cols.map(q).join(', ')}) VALUES (${cols.map((_, i) => p(i + 1)).join(', ')})`;
    if (this.db.dialect.returning) sql += ` RETURNING ${q('id')}`;
    const out = await run(this.db, sql, [name, recordType, String(recordId), blobId, this.now()]);
    return Number(this.db.dialect.returning ? out.rows[0]!.id : out.insertId);
  }

  /** The attachments (with their blobs) of these records, oldest first; of one name, or all. */
  async attachmentsOf(recordType: string, recordIds: unknown[], name?: string): Promise<AttachmentRow[]> {
    if (!recordIds.length) return [];
    const { q, p } = this;
    const binds: unknown[] = [recordType, ...recordIds.map(String)];
    const ids = recordIds.map((_, i) => p(i + 2)).join(', ');
    let where = `a.${q('recordType')} = ${p(1)} AND a.${q('recordId')} IN (${ids})`;
    if (name !== undefined) {
      binds.push(name);
      where += ` AND a.${q('name')} = ${p(binds.length)}`;
    }
    const blobCols = ['id', 'key', 'filename', 'contentType', 'byteSize', 'checksum', 'service', 'createdAt'].map((c) => `b.${q(c)} AS ${q(`b_${c}`)}`).join(', ');
    const sql = `SELECT a.${q('id')} AS ${q('a_id')}, a.${q('name')} AS ${q('a_name')}, a.${q('recordId')} AS ${q('a_recordId')}, ${blobCols} ` +
      `FROM ${this.attachments} a JOIN ${this.blobs} b ON b.${q('id')} = a.${q('blobId')} WHERE ${where} ORDER BY a.${q('id')}`;
    const rows = (await run(this.db, sql, binds)).rows;
    return rows.map((r) => ({ id: Number(r.a_id), name: String(r.a_name), recordId: String(r.a_recordId), blob: toBlob(r, 'b_') }));
  }

  /** Deletes attachment rows by id. */
  async deleteAttachments(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const sql = `DELETE FROM ${this.attachments} WHERE ${this.q('id')} IN (${ids.map((_, i) => this.p(i + 1)).join(', ')})`;
    await run(this.db, sql, ids);
  }

  async findBlob(id: number): Promise<Blob | undefined> {
    const rows = (await run(this.db, `SELECT * FROM ${this.blobs} WHERE ${this.q('id')} = ${this.p(1)}`, [id])).rows;
    return rows[0] ? toBlob(rows[0]) : undefined;
  }

  async isAttached(blobId: number): Promise<boolean> {
    const rows = (await run(this.db, `SELECT ${this.q('id')} FROM ${this.attachments} WHERE ${this.q('blobId')} = ${this.p(1)}`, [blobId])).rows;
    return rows.length > 0;
  }

  async deleteBlob(id: number): Promise<void> {
    await run(this.db, `DELETE FROM ${this.blobs} WHERE ${this.q('id')} = ${this.p(1)}`, [id]);
  }

  async countBlobs(): Promise<number> {
    const rows = (await run(this.db, `SELECT COUNT(*) AS ${this.q('n')} FROM ${this.blobs}`, [])).rows;
    return Number(rows[0]!.n);
  }
}
