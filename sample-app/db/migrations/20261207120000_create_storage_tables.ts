import { createStorageTables, migration } from 'stryke';

// The tables behind file attachments (docs/uploads.md): storage_blobs and storage_attachments.
export default migration('CreateStorageTables', {
  change(m) {
    createStorageTables(m);
  },
});
