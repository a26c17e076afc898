import { connect } from 'node:net';

/** Sends one request line exactly as given (no URL normalisation, unlike fetch), returns status and body. */
export function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveRes, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolveRes({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/** Requests that try to leave public/: each must answer 403 or 404, never a file from outside. */
export const TRAVERSALS = [
  '/../package.json',
  '/css/../../package.json',
  '/%2e%2e/package.json',
  '/%2E%2E/%2E%2E/package.json',
  '/css/%2e%2e/%2e%2e/package.json',
  '/css/..%2f..%2fpackage.json',
  '/css%2f..%2f..%2fpackage.json',
  '/..%5c..%5cpackage.json',
  '/..\\..\\package.json',
  '/css/site.css%00.txt',
  '/%00',
  '//etc/passwd',
  '/%2fetc%2fpasswd',
  '/etc/passwd',
  '/C:\\Windows\\win.ini',
  '/%252e%252e/package.json',
  '/.env',
  '/css/.%2e/.%2e/package.json',
];
