import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dropDatabase } from 'stryke/migrations';
import { queueFor, startJobs, startJobWorkers, stopJobs } from 'stryke/jobs';
import { BlobStore, purgeBlobs } from 'stryke/storage';
import type { TestApp } from 'stryke/testing';
import { databaseTargets } from '../support/databases';
import { until } from '../jobs/targets';
import { bootStorageApp, filesUnder, png, STORAGE_APP } from './support';

const model = () => require(join(STORAGE_APP, 'build', 'app', 'models', 'document.js')).Document;

describe('attachments on models: the blobs and attachments tables on every database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-attach-'));
  const targets = await databaseTargets('attach', dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    describe(target.name, { skip: target.skip }, () => {
      let app: TestApp;
      let storageDir: string;
      let Document: any;
      let blobs: BlobStore;
      before(async () => {
        ({ app, storageDir } = await bootStorageApp(target.config));
        Document = model();
        blobs = new BlobStore(app.db);
      });
      after(async () => {
        await app.close();
        if (target.name !== 'sqlite') await dropDatabase(target.config, STORAGE_APP);
      });
      beforeEach(async () => {
        await app.reset();
        rmSync(storageDir, { recursive: true, force: true });
      });

      it('attach, load, loadAttached, replace: rows and files agree', async () => {
        const doc = await Document.create({ title: 'One' });
        await doc.avatar.attach({ io: png(300), filename: 'a.png' });
        await doc.photos.attach({ io: 'hello', filename: 'h.txt' }, { io: png(10), filename: 'p.png' });
        await assert.rejects(() => doc.avatar.attach({ io: 'no name' } as any), { code: 'STRYKE_E_STORAGE_BAD_ATTACH_SOURCE' });
        const again = await Document.find(doc.id);
        assert.throws(() => again.avatar.blob, { code: 'STRYKE_E_STORAGE_NOT_LOADED' });
        await again.avatar.load();
        assert.equal(again.avatar.blob.filename, 'a.png');
        assert.equal(again.avatar.blob.byteSize, 300);
        assert.equal(again.avatar.blob.contentType, 'image/png');
        assert.ok(again.avatar.blob.createdAt instanceof Date);
        const other = await Document.create({ title: 'Two' });
        const { loadAttached } = require('stryke');
        const all = await Document.order('id');
        await loadAttached(all, 'photos');
        assert.deepEqual(all.map((d: any) => d.photos.blobs.map((b: any) => b.filename)), [['h.txt', 'p.png'], []]);
        assert.equal(filesUnder(storageDir).length, 3);
        await again.avatar.attach({ io: png(50), filename: 'b.png' });
        assert.equal(again.avatar.blob.filename, 'b.png');
        assert.equal(await blobs.countBlobs(), 3, 'the replaced blob was purged after commit');
        assert.equal(filesUnder(storageDir).length, 3);
        void other;
      });

      it('an upload inside a transaction that rolls back leaves no row and no file', async () => {
        const doc = await Document.create({ title: 'Rollback' });
        await assert.rejects(Document.transaction(async () => {
          await doc.avatar.attach({ io: png(100), filename: 'gone.png' });
          assert.equal(filesUnder(storageDir).length, 1);
          throw new Error('roll back');
        }), /roll back/);
        assert.equal(await blobs.countBlobs(), 0);
        assert.deepEqual(filesUnder(storageDir), []);
        await doc.avatar.load();
        assert.equal(doc.avatar.attached, false);
      });

      it('destroying a record purges its blobs after commit, through a job', async () => {
        await startJobs({ root: app.root, config: app.config, database: app.db.config, workers: false });
        try {
          const doc = await Document.create({ title: 'Doomed' });
          await doc.avatar.attach({ io: png(100), filename: 'doomed.png' });
          await doc.photos.attach({ io: 'bye', filename: 'bye.txt' });
          const keep = await Document.create({ title: 'Kept' });
          await keep.avatar.attach({ io: png(20), filename: 'kept.png' });
          await doc.destroy();
          assert.equal(await blobs.countBlobs(), 3, 'the blobs wait for the job');
          const [job] = (await queueFor('default').getJobs(['waiting'])).filter((j) => j.name === 'PurgeBlobsJob');
          assert.ok(job, 'a PurgeBlobsJob was enqueued');
          const workers = startJobWorkers({ queues: ['default'] });
          await until('the purge to complete', async () => (await queueFor('default').getJobState(job.id!)) === 'completed');
          await workers.close();
          assert.equal(await blobs.countBlobs(), 1);
          const [file] = filesUnder(storageDir);
          await keep.avatar.load();
          assert.ok(file!.endsWith(keep.avatar.blob.key));
          assert.equal(await purgeBlobs([keep.avatar.blob.id]), 0, 'a blob still attached is never purged');
        } finally {
          await stopJobs();
        }
      });
    });
  }
});
