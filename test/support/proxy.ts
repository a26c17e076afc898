import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy to a local server that can drop every connection and refuse new ones for a while (an outage),
 * or go silent: connections stay open and new ones are accepted, but nothing is passed either way (a server
 * that accepts and never answers).
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private silent = false;
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      if (this.silent) {
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        client.on('error', () => undefined);
        return;
      }
      const upstream = new Socket();
      upstream.connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (d) => void (this.silent || upstream.write(d)));
      upstream.on('data', (d) => void (this.silent || client.write(d)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server!.address() as { port: number }).port;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
    this.silent = false;
  }

  /** From now on nothing passes, on open connections or new ones (accepted, then never answered). */
  silence(): void {
    this.silent = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
