/** The upload benchmark's server process: `node server.js <port>`, the app in benchmarks/uploads/app. */
import { join } from 'node:path';
import { createApp } from 'stryke';

async function main() {
  const port = Number(process.argv[2]);
  const root = join(__dirname, '..', '..', '..', 'benchmarks', 'uploads', 'app');
  const app = await createApp({ root, buildDir: join(__dirname, 'app'), env: 'production', logger: false });
  await app.listen(port, '127.0.0.1');
  process.send?.('ready');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
