/**
 * The process `stryke prof` profiles: the app booted in one process (no primary, no in-process job
 * workers), listening on loopback, with V8's sampling CPU profiler on. It tells its parent the port,
 * and on `stop` writes the profile to the file the parent named and exits.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createApp } from '../app';

interface Start { root: string; env: string; interval: number }

const post = <T = unknown>(session: Session, method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));

process.once('message', async (start: Start) => {
  try {
    const app = await createApp({ root: start.root, env: start.env, logger: false, jobWorkers: 'none' });
    const address = await app.listen(0, '127.0.0.1');
    const session = new Session();
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: start.interval });
    await post(session, 'Profiler.start');
    process.send!({ type: 'ready', port: Number(new URL(address).port) });
    process.on('message', async (m: { type: string; file: string }) => {
      if (m.type !== 'stop') return;
      const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
      writeFileSync(m.file, JSON.stringify(profile));
      session.disconnect();
      await app.close();
      process.send!({ type: 'stopped' }, () => process.exit(0));
    });
  } catch (err) {
    process.send!({ type: 'failed', message: (err as Error).message?.split('\n')[0] ?? String(err) }, () => process.exit(1));
  }
});
