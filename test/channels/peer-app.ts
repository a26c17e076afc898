/**
 * A second app instance in its own process, for tests of the cross-machine adapters: boots the channels
 * fixture (its adapter from the STRYKE_CHANNELS__* environment), listens on a free port, prints
 * `port <n>`, and closes when its stdin ends.
 */
import type { AddressInfo } from 'node:net';
import { bootFixture } from '../support/boot-fixture';

async function main(): Promise<void> {
  const app = await bootFixture('channels');
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`port ${(app.server.server.address() as AddressInfo).port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
