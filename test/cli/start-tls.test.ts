import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, SERVER_WAIT, startServer, stryke, strykeBackground, writeApp } from '../support/cli';

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key: join(dir, 'key.pem'), cert: join(dir, 'cert.pem'), ca: readFileSync(join(dir, 'cert.pem')) };
}

const files = (serverToml: string) => ({
  'config/server.toml': serverToml,
  'config/database.toml': 'adapter = "sqlite"\ndatabase = "db/app.sqlite3"\n',
  'app/controllers/home_controller.ts': `import { ActionController, Controller, Get } from 'stryke';

@Controller('/')
export class HomeController extends ActionController {
  @Get('/')
  index() {
    return { hello: 'tls' };
  }
}
`,
});

const PROD = { SECRET_KEY_BASE: 'z'.repeat(64) };

function h2Get(origin: string, ca: Buffer, path: string): Promise<{ alpn: string | false | undefined; status: number; headers: http2.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca });
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let body = '';
    let headers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (headers = h));
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ alpn, status: Number(headers[':status']), headers, body });
    });
    req.on('error', reject);
    req.end();
  });
}

function httpsGet(port: number, ca: Buffer, path: string): Promise<{ version: string; status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path, ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve({ version: res.httpVersion, status: res.statusCode!, headers: res.headers, body }));
    }).on('error', reject);
  });
}

async function untilUp(port: number, ca: Buffer, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + SERVER_WAIT;
  for (;;) {
    try {
      await httpsGet(port, ca, '/health');
      return;
    } catch (err) {
      if (Date.now() > deadline || server.exitCode !== null || server.signalCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** `stryke start` with one worker of the built app at `root`, up once GET /health answers over HTTPS (trusting `ca`). */
const startTls = (root: string, ca: Buffer, env?: Record<string, string>, extra: string[] = []) =>
  startServer(['start', '--root', root, '--workers', '1', '--host', '127.0.0.1', ...extra], { env, ready: (port, server) => untilUp(port, ca, server) });

describe('stryke start with TLS and HTTP/2 from config/server.toml', () => {
  it('serves HTTP/2 (ALPN) and HTTP/1.1 on one TLS port, with HSTS, and redirects plain HTTP to HTTPS', async () => {
    const tls = certificate();
    const redirectPort = await freePort();
    const root = writeApp(files(`log_level = "warn"\ntls_cert = "${tls.cert}"\ntls_key = "${tls.key}"\nhttp2 = true\nhttps_redirect_port = ${redirectPort}\n`));
    assert.equal(stryke(['build', '--root', root]).status, 0);
    const { server, port, output } = await startTls(root, tls.ca, PROD, ['--env', 'production']);
    try {
      const origin = `https://127.0.0.1:${port}`;

      // The same answer, with HSTS and the security headers, over HTTP/2 and over HTTP/1.1 on the same port.
      const servedHome = (res: { status: number; headers: Record<string, unknown>; body: string }) => {
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.body), { hello: 'tls' });
        assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
      };
      const h2 = await h2Get(origin, tls.ca, '/');
      assert.equal(h2.alpn, 'h2');
      servedHome(h2);
      const h1 = await httpsGet(port, tls.ca, '/');
      assert.equal(h1.version, '1.1');
      servedHome(h1);

      const ready = await h2Get(origin, tls.ca, '/ready');
      assert.equal(ready.status, 200);

      const curl = spawnSync('curl', ['-s', '--cacert', tls.cert, '--http2', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `${origin}/`], { encoding: 'utf8' });
      if (!curl.error) assert.equal(curl.stdout, '2 200', curl.stderr);

      const plain = await fetch(`http://127.0.0.1:${redirectPort}/posts?page=2`, { redirect: 'manual' });
      assert.equal(plain.status, 308);
      assert.equal(plain.headers.get('location'), `https://127.0.0.1:${port}/posts?page=2`);

      // A drain over HTTP/2: SIGTERM ends the primary cleanly.
      server.kill('SIGTERM');
      const [code] = await once(server, 'exit');
      assert.equal(code, 0, output());
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  it('closes idle HTTP/2 sessions and HTTP/1.1 keep-alive connections at shutdown instead of waiting for shutdown_timeout', async () => {
    const tls = certificate();
    // A minute's shutdown timeout: a drain that waited for the idle connection would outlast the bound below.
    const root = writeApp(files(`log_level = "warn"\ntls_cert = "${tls.cert}"\ntls_key = "${tls.key}"\nhttp2 = true\nshutdown_timeout = 60\n`));
    assert.equal(stryke(['build', '--root', root]).status, 0);
    const { server, port, output } = await startTls(root, tls.ca, PROD, ['--env', 'production']);
    const agent = new https.Agent({ keepAlive: true, ca: tls.ca, maxSockets: 1 });
    try {
      // One HTTP/1.1 request, then the connection stays open and idle in the agent's pool.
      const { socketClosed } = await new Promise<{ socketClosed: Promise<void> }>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          assert.equal(res.httpVersion, '1.1');
          assert.equal(res.headers.connection, 'keep-alive');
          const closed = once(res.socket, 'close').then(() => undefined);
          res.resume().on('end', () => setImmediate(() => resolve({ socketClosed: closed })));
        }).on('error', reject);
      });
      assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'the connection is kept alive, idle');
      // And an HTTP/2 session that answered one request and stays open, idle.
      const session = http2.connect(`https://127.0.0.1:${port}`, { ca: tls.ca });
      session.on('error', () => {});
      const goaway = once(session, 'goaway');
      const sessionClosed = once(session, 'close');
      await new Promise<void>((resolve, reject) => {
        const req = session.request({ ':path': '/' });
        req.on('response', (h) => assert.equal(h[':status'], 200));
        req.resume().on('end', resolve).on('error', reject);
        req.end();
      });

      server.kill('SIGTERM');
      const bound = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref());
      const exited = once(server, 'exit').then(([code]) => code as number);
      const outcome = await Promise.race([exited, bound]);
      assert.equal(outcome, 0, `the server exits at once, not after the 60 s shutdown timeout: ${outcome}\n${output()}`);
      await socketClosed;
      await goaway;
      await sessionClosed;
      assert.doesNotMatch(output(), /SIGKILL/);
    } finally {
      agent.destroy();
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  it('refuses to start, in one line, when the certificate cannot be read', async () => {
    const root = writeApp(files('tls_cert = "config/missing.pem"\ntls_key = "config/missing-key.pem"\n'));
    assert.equal(stryke(['build', '--root', root]).status, 0);
    const port = await freePort();
    const server = strykeBackground(['start', '--root', root, '--port', String(port), '--workers', '1', '--host', '127.0.0.1']);
    let stderr = '';
    server.stderr!.on('data', (d) => (stderr += d));
    const [code] = await once(server, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /tls_cert = "config\/missing\.pem" cannot be read \(ENOENT\).*STRYKE_E_HTTP_TLS_CONFIG/);
  });

  it('stryke certificate makes a development certificate that stryke start serves over HTTP/2', async () => {
    const root = writeApp(files('log_level = "warn"\ntls_cert = "config/tls/development.crt"\ntls_key = "config/tls/development.key"\nhttp2 = true\n'));
    const made = stryke(['certificate', '--root', root]);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /tls_cert = "config\/tls\/development\.crt"/);
    assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\/config\/tls\/$/m);
    const again = stryke(['certificate', '--root', root]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists: pass --force/);

    assert.equal(stryke(['build', '--root', root]).status, 0);
    const ca = readFileSync(join(root, 'config/tls/development.crt'));
    const { server, port } = await startTls(root, ca);
    try {
      const h2 = await h2Get(`https://127.0.0.1:${port}`, ca, '/');
      assert.equal(h2.alpn, 'h2');
      assert.equal(h2.status, 200);
      assert.equal(h2.headers['strict-transport-security'], undefined, 'no HSTS outside production: it would pin localhost');
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
});
