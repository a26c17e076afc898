import { Job, ApplicationJob } from '../jobs';
import { jobsConfigured } from '../jobs';
import { BlobStore } from './blobs';
import { storageRuntime } from './runtime';

/**
 * Deletes blobs no record holds any more: the bytes from their service, then the row. A blob attached
 * again meanwhile is kept. Run after the transaction that detached them commits (never inside it, so a
 * rollback can never lose a file a record still points at).
 */
export async function purgeBlobs(ids: number[]): Promise<number> {
  const rt = storageRuntime('purging blobs');
  if (!rt.db) return 0;
  const store = new BlobStore(rt.db);
  let purged = 0;
  for (const id of ids) {
    const blob = await store.findBlob(id);
    if (!blob || (await store.isAttached(id))) continue;
    const service = rt.settings.services.get(blob.service);
    if (service) await service.delete(blob.key);
    await store.deleteBlob(id);
    purged++;
  }
  return purged;
}

/** The framework's purge job: queued after a destroy (or a replaced file) commits, retried with backoff. */
@Job({ queue: 'default', attempts: 5, backoff: { type: 'exponential', delay: 1000 } })
export class PurgeBlobsJob extends ApplicationJob {
  async perform(blobIds: number[]): Promise<number> {
    return purgeBlobs(Array.isArray(blobIds) ? blobIds.map(Number).filter(Number.isSafeInteger) : []);
  }
}

/**
 * Purges through PurgeBlobsJob when the app's jobs are configured (the default for apps with jobs: the
 * queue is in the app's database), else at once, after the commit that detached them.
 */
export async function purgeLater(ids: number[]): Promise<void> {
  if (!ids.length) return;
  if (jobsConfigured()) {
    await PurgeBlobsJob.performLater(ids);
    return;
  }
  await purgeBlobs(ids);
}
