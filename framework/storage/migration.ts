import type { Schema } from '../migrations';
import { ATTACHMENTS_TABLE, BLOBS_TABLE } from './blobs';

/**
 * The storage tables, as a migration writes them: `storage_blobs` (one row per stored file: its key, name,
 * sniffed type, size, checksum and service) and `storage_attachments` (which record holds which blob, under
 * which name). `stryke generate storage` writes an app migration that calls this, so the tables reach an
 * app through `stryke db migrate` like any other.
 * @example export default migration('CreateStorageTables', { change(m) { createStorageTables(m); } });
 */
export function createStorageTables(m: Schema): void {
  m.createTable(BLOBS_TABLE, (t) => {
    t.string('key', { null: false, limit: 64 });
    t.string('filename', { null: false, limit: 255 });
    t.string('contentType', { null: false, limit: 100 });
    t.bigint('byteSize', { null: false });
    t.string('checksum', { null: false, limit: 64 });
    t.string('service', { null: false, limit: 40 });
    t.datetime('createdAt', { null: false });
    t.index('key', { unique: true });
  });
  m.createTable(ATTACHMENTS_TABLE, (t) => {
    t.string('name', { null: false, limit: 100 });
    t.string('recordType', { null: false, limit: 100 });
    t.string('recordId', { null: false, limit: 64 });
    t.references('blob', { foreignKey: BLOBS_TABLE });
    t.datetime('createdAt', { null: false });
    t.index(['recordType', 'recordId', 'name']);
  });
}

/** The file `stryke generate storage` writes into db/migrations. */
export function storageMigrationSource(): string {
  return [
    "import { createStorageTables, migration } from 'stryke';",
    '',
    '// The tables behind file attachments (docs/uploads.md): storage_blobs and storage_attachments.',
    "export default migration('CreateStorageTables', {",
    '  change(m) {',
    '    createStorageTables(m);',
    '  },',
    '});',
    '',
  ].join('\n');
}
