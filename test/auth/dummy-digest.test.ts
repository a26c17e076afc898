import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import { configurePasswordHashing, hashPassword, needsRehash, verifyDummy } from 'stryke';
import { dummyDigest } from '../../framework/auth/password';

const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

describe('the dummy digest an unknown user is checked against', () => {
  afterEach(() => configurePasswordHashing(OWASP));

  it('on the defaults: a digest at exactly the parameters a real one has (the same work to verify), no Argon2 loaded to make it', async () => {
    const dummy = await dummyDigest();
    const real = await hashPassword('correct horse battery staple');
    const params = (d: string) => d.split('$').slice(1, 4).join('$');
    assert.equal(params(dummy), params(real));
    assert.equal(params(dummy), 'argon2id$v=19$m=19456,t=2,p=1');
    assert.equal(needsRehash(dummy), false);
    assert.equal(await verifyDummy('correct horse battery staple'), false);
    assert.equal(await verifyDummy(''), false);
    // In a fresh process: the digest is there without the addon (which a boot therefore does not load).
    const child = spawnSync(process.execPath, ['-e', `
      const { dummyDigest } = require(${JSON.stringify(require.resolve('../../framework/auth/password'))});
      dummyDigest().then((d) => console.log(JSON.stringify({ d, argon2: Object.keys(require.cache).some((f) => f.includes('@node-rs/argon2')) })));
    `], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { d: dummy, argon2: false });
  });

  it('with other parameters: made with them, and still never verifies', async () => {
    configurePasswordHashing({ memoryCost: 19456 * 2 });
    const dummy = await dummyDigest();
    assert.match(dummy, /^\$argon2id\$v=19\$m=38912,t=2,p=1\$/);
    assert.equal(needsRehash(dummy), false);
    assert.equal(await verifyDummy('anything'), false);
  });
});
