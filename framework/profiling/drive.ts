import { request, Agent } from 'node:http';

export interface BurstResult { requests: number; statuses: Record<string, number>; errors: number; firstError?: string; ms: number }

/**
 * Sends GET `path` to 127.0.0.1:`port` from `concurrency` keep-alive connections until `count` requests
 * are answered or `seconds` pass, whichever comes first.
 */
export async function burst(port: number, path: string, options: { seconds: number; count: number; concurrency: number }): Promise<BurstResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const result: BurstResult = { requests: 0, statuses: {}, errors: 0, ms: 0 };
  let sent = 0;
  const one = () => new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'text/html,*/*' } }, (res) => {
      res.resume();
      res.on('end', () => {
        result.requests++;
        result.statuses[res.statusCode ?? 0] = (result.statuses[res.statusCode ?? 0] ?? 0) + 1;
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (err) => {
      result.errors++;
      result.firstError ??= err.message;
      resolve();
    });
    req.end();
  });
  const lane = async () => {
    while (sent < options.count && Date.now() < deadline && result.errors < 20) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  agent.destroy();
  result.ms = Date.now() - started;
  return result;
}
