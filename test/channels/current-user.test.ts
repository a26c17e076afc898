import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presence } from 'stryke';
import { connectChannel, type TestApp } from 'stryke/testing';
import { join } from 'node:path';
import { bootFixture } from '../support/boot-fixture';
import { bootSampleApp, SAMPLE_APP, signedInClient } from '../support/sample-app';

/** A channel knows who is signed in through the app's authenticator, over the upgrade's cookie session. */
describe('sample app: channels see the signed-in user', () => {
  let app: TestApp;
  before(async () => {
    app = await bootSampleApp();
    await app.reset();
  });
  after(() => app.close());

  it('lists a signed-in reader by user id in presence, and an anonymous one without', () => readerInPresence('reader@example.com', 'Live post'));

  it('keeps asking its own authenticator when another app with another authenticator boots in the process', async () => {
    // The fixture's authenticator reads a `uid` the sample app's sessions never hold: were the resolver
    // process-wide, the last app booted would answer for the sample app's channels, and nobody would be signed in.
    const other = await bootFixture('auth-ok');
    try {
      await readerInPresence('reader@example.com', 'Second live post');
    } finally {
      await other.close();
    }
  });

  async function readerInPresence(email: string, title: string) {
    const writer = await signedInClient(app, email);
    const created = await writer.post('/posts', { form: { post: { title, body: 'Comments arrive live' } } });
    assert.equal(created.status, 303);
    const id = Number(String(created.headers.location).split('/').pop());

    const signedIn = await connectChannel(app, `/posts/${id}/live`, { client: writer });
    const anonymous = await connectChannel(app, `/posts/${id}/live`);
    try {
      for (let i = 0; i < 100 && presence(`post:${id}`).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      const members = presence(`post:${id}`);
      assert.equal(members.length, 2);
      const users = members.map((m) => m.user).filter((u) => u !== undefined && u !== null);
      assert.equal(users.length, 1, `one reader is signed in: ${JSON.stringify(members)}`);
      const { User } = require(join(SAMPLE_APP, 'build', 'app', 'models', 'user.js'));
      const user = await User.findBy({ email });
      assert.equal(String(users[0]), String(user.id));
    } finally {
      signedIn.close();
      anonymous.close();
    }
  }
});
