import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { createTestApp, type TestApp } from 'stryke/testing';
import type { Post as PostModel } from '../fixtures/blog/build/app/models/post';
import { root } from './harness';

// V8's intrinsics parse only in code compiled after this flag is set: the function below is built afterwards.
setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line no-new-func
const hasFastProperties = new Function('o', 'return %HasFastProperties(o);') as (o: object) => boolean;

/**
 * The objects every query goes through keep the shapes V8's optimizer relies on. A model's relation class
 * that fell into dictionary mode (it did, when its `name` was set with defineProperty) made V8 compile
 * `where`, `order`, `limit` and the rest over and over, throwing the code away each time: the chain ran at
 * about half speed, most of it as CPU time on a background thread.
 */
describe('optimizer shapes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-shapes-'));
  let app: TestApp;
  let Post: typeof PostModel;

  before(async () => {
    app = await createTestApp({ root, database: { adapter: 'sqlite', database: join(dir, 'shapes.sqlite3') } });
    Post = require(join(root, 'build', 'app', 'models', 'post.js')).Post;
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names a model's relation class after the model and keeps it in fast mode", () => {
    const relationClass = Post.where({ published: true }).order('createdAt', 'desc').limit(20).constructor;
    assert.equal(relationClass.name, 'PostRelation');
    assert.equal(hasFastProperties(relationClass), true, 'PostRelation is in dictionary mode');
    assert.equal(hasFastProperties(relationClass.prototype), true, 'PostRelation.prototype is in dictionary mode');
  });

  it('keeps the model class in fast mode after binding', () => {
    assert.equal(hasFastProperties(Post), true, 'Post is in dictionary mode');
  });
});
