import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootFixture } from '../support/boot-fixture';

describe('where a server listens by default', () => {
  it('binds 127.0.0.1 in development, every interface in production, and the given host when there is one', async () => {
    const saved = process.env.SECRET_KEY_BASE;
    process.env.SECRET_KEY_BASE = 'p'.repeat(64);
    try {
      for (const [env, host, expected] of [['development', undefined, '127.0.0.1'], ['production', undefined, '0.0.0.0'], ['development', '0.0.0.0', '0.0.0.0']] as const) {
        const app = await bootFixture('pipeline', env);
        try {
          await app.listen(0, host);
          const address = app.server.server.address();
          assert.equal(typeof address === 'object' && address ? address.address : address, expected, `${env} with host ${host ?? '(default)'}`);
        } finally {
          await app.close();
        }
      }
    } finally {
      if (saved === undefined) delete process.env.SECRET_KEY_BASE;
      else process.env.SECRET_KEY_BASE = saved;
    }
  });
});
