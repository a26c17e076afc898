import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, describe, it } from 'node:test';
import pino from 'pino';
import { configurePasswordHashing, hashPassword, MAX_PASSWORD_BYTES, passwordHashing, StrykeError } from 'stryke';
import type { Member as MemberModel } from '../fixtures/blog/build/app/models/member';
import { eachDatabase, root } from '../orm/harness';

const Member = () => require(join(root, 'build', 'app', 'models', 'member.js')).Member as typeof MemberModel;
const PLAIN = 'correct horse battery staple';
const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

describe('@Password: Argon2id digests, authenticate, rehash, nothing leaks', async () => {
  afterEach(() => configurePasswordHashing(OWASP));

  await eachDatabase('password', (ctx) => {
    const digestInDb = async (id: number, column = 'passwordDigest') => {
      const rows = await ctx.app.db.select(`SELECT ${ctx.q(column)} AS d FROM ${ctx.q('members')} WHERE id = ${Number(id)}`);
      return rows[0]!.d as string | null;
    };

    it('stores only an Argon2id digest at OWASP parameters, and authenticate checks it', async () => {
      const m = await Member().create({ email: 'a@example.com', password: PLAIN, passwordConfirmation: PLAIN });
      const stored = await digestInDb(m.id);
      assert.match(String(stored), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.ok(!String(stored).includes(PLAIN));
      const rows = await ctx.app.db.select(`SELECT * FROM ${ctx.q('members')}`);
      assert.ok(!JSON.stringify(rows).includes(PLAIN), 'the plain password is in no column');
      const found = await Member().find(m.id);
      assert.equal(found.password, undefined, 'a loaded record has no plain password');
      assert.equal(await found.authenticate(PLAIN), true);
      assert.equal(await found.authenticate('wrong password'), false);
      assert.equal(await found.authenticate({ $ne: 'x' }), false, 'anything but a string is refused');
      assert.equal(await found.authenticate(undefined), false);
    });

    it('validates presence on create, confirmation, and a minimum length; an update without a password keeps the digest', async () => {
      const missing = new (Member())({ email: 'b@example.com' });
      assert.equal(await missing.save(), false);
      assert.deepEqual(missing.errors.on('password'), ["can't be blank"]);
      const mismatch = new (Member())({ email: 'b@example.com', password: PLAIN, passwordConfirmation: 'something else' });
      assert.equal(await mismatch.save(), false);
      assert.deepEqual(mismatch.errors.on('passwordConfirmation'), ["doesn't match Password"]);
      const short = new (Member())({ email: 'b@example.com', password: 'short' });
      assert.equal(await short.save(), false);
      assert.match(short.errors.on('password').join(), /too short/);

      const m = await Member().create({ email: 'b@example.com', password: PLAIN });
      const before = await digestInDb(m.id);
      const again = await Member().find(m.id);
      assert.equal(await again.update({ email: 'c@example.com' }), true);
      assert.equal(await digestInDb(m.id), before);
      again.password = '';
      assert.equal(await again.save(), false, 'a password set blank is an error, not "unchanged"');
    });

    it('refuses an over-long password before hashing: a validation error, and a 422 with validate: false', async () => {
      const long = 'é'.repeat(MAX_PASSWORD_BYTES / 2 + 1); // 258 bytes, 129 characters
      const m = new (Member())({ email: 'd@example.com', password: long });
      assert.equal(await m.save(), false);
      assert.deepEqual(m.errors.on('password'), [`is too long (maximum is ${MAX_PASSWORD_BYTES} bytes)`]);
      assert.equal((m as unknown as { passwordDigest?: string }).passwordDigest, undefined, 'nothing was hashed');
      await assert.rejects(() => m.save({ validate: false }), (err: StrykeError) => err.code === 'STRYKE_E_AUTH_PASSWORD_TOO_LONG' && err.status === 422);
      await assert.rejects(() => hashPassword(long), /STRYKE_E_AUTH_PASSWORD_TOO_LONG|refused before hashing/);
      assert.equal(await Member().count(), 0);
      const exact = 'x'.repeat(MAX_PASSWORD_BYTES);
      assert.ok(await Member().create({ email: 'e@example.com', password: exact }));
    });

    it('rehashes at sign-in when the parameters were raised, and refuses parameters below OWASP', async () => {
      const m = await Member().create({ email: 'f@example.com', password: PLAIN });
      configurePasswordHashing({ timeCost: 3 });
      const found = await Member().find(m.id);
      assert.equal(await found.authenticate('wrong password'), false);
      assert.match(String(await digestInDb(m.id)), /m=19456,t=2,p=1/, 'a failed attempt rehashes nothing');
      assert.equal(await found.authenticate(PLAIN), true);
      assert.match(String(await digestInDb(m.id)), /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
      assert.equal(await (await Member().find(m.id)).authenticate(PLAIN), true);
      assert.throws(() => configurePasswordHashing({ memoryCost: 4096 }), /STRYKE_E_AUTH_WEAK_HASHING|below OWASP/);
      assert.deepEqual({ ...passwordHashing() }, { ...OWASP, timeCost: 3 });
    });

    it('a second password field has its own digest and authenticate method', async () => {
      const m = await Member().create({ email: 'g@example.com', password: PLAIN, pin: '12345678' });
      assert.match(String(await digestInDb(m.id, 'pinDigest')), /^\$argon2id\$/);
      const found = await Member().find(m.id);
      assert.equal(await found.authenticatePin('12345678'), true);
      assert.equal(await found.authenticatePin(PLAIN), false);
      assert.equal(await found.authenticate('12345678'), false);
    });

    it('never shows the digest or the plain password: JSON, inspect, properties, log lines', async () => {
      const fresh = new (Member())({ email: 'h@example.com', password: PLAIN, passwordConfirmation: PLAIN });
      for (const text of [JSON.stringify(fresh), inspect(fresh, { depth: 5, showHidden: true }), JSON.stringify(Object.entries(fresh))]) {
        assert.ok(!text.includes(PLAIN), text);
      }
      await fresh.save();
      const found = await Member().find(fresh.id);
      const digest = (found as unknown as { passwordDigest: string }).passwordDigest;
      assert.match(digest, /^\$argon2id\$/);
      const json = JSON.parse(JSON.stringify(found));
      assert.equal('passwordDigest' in json, false);
      assert.equal(json.email, 'h@example.com');
      const shown = inspect(found, { depth: 5 });
      assert.ok(!shown.includes(digest), shown);
      assert.match(shown, /passwordDigest: '\[FILTERED\]'/);
      assert.ok(!inspect([found], { depth: 5 }).includes(digest));

      const lines: string[] = [];
      const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
      log.info({ member: found }, 'signed in');
      log.info({ members: [found] }, `member ${inspect(found)}`);
      log.error({ err: Object.assign(new Error('boom'), { record: found }) }, 'failed');
      assert.equal(lines.length, 3);
      for (const line of lines) assert.ok(!line.includes(digest) && !line.includes(PLAIN), line);
    });
  });
});
