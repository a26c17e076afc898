import http from 'node:http';

/**
 * Requests to a server under test, counted: `one(agent, ms)` sends GET `path(ms)` (a kept-alive agent, or
 * `false` for a new connection) and waits for the answer; a 200 counts as served, anything else (another
 * status, a reset, a refused connection) is kept in `failures`, saying which kind of connection it was.
 */
export class RequestTally {
  served = 0;
  readonly failures: string[] = [];

  constructor(private readonly port: number, private readonly path: (ms: number) => string) {}

  one(agent: http.Agent | false, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port: this.port, path: this.path(ms), agent }, (res) => {
        res.resume().on('end', () => {
          if (res.statusCode === 200) this.served++;
          else this.failures.push(`status ${res.statusCode}`);
          resolve();
        });
      }).on('error', (err) => {
        this.failures.push(`${agent ? 'kept-alive' : 'new connection'} ${ms}ms: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
        resolve();
      });
    });
  }
}
