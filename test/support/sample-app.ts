import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateAppOptions } from 'stryke';
import { createTestApp, type TestApp, type TestClient } from 'stryke/testing';

export const SAMPLE_APP = join(__dirname, '..', '..', '..', 'sample-app');

/** The sample app, booted in-process on its own temporary SQLite database. */
export async function bootSampleApp(options: Omit<Partial<CreateAppOptions>, 'root' | 'database'> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-sample-'));
  return createTestApp({ ...options, root: SAMPLE_APP, database: { adapter: 'sqlite', database: join(dir, 'test.sqlite3') } });
}

/**
 * A private copy of the sample app (its compiled build/ included, its tsconfig.json left out so the CLI
 * does not recompile it), linked to this checkout: CLI tests that migrate, dump the schema or build work on
 * it, so concurrent test files never write into sample-app/ itself.
 */
export function copySampleApp(): string {
  const { cpSync, mkdirSync, symlinkSync } = require('node:fs') as typeof import('node:fs');
  const root = join(mkdtempSync(join(tmpdir(), 'stryke-sample-copy-')), 'sample-app');
  const skip = new Set(['node_modules', 'dist', 'tmp', 'log', 'tsconfig.json']);
  cpSync(SAMPLE_APP, root, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(SAMPLE_APP.length + 1);
      return !skip.has(rel.split('/')[0]!) && !/\.sqlite3/.test(rel);
    },
  });
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(join(SAMPLE_APP, '..'), join(root, 'node_modules', 'stryke'), 'dir');
  return root;
}

export const WRITER_PASSWORD = 'a writer password';

/**
 * A browser-like client signed in to the sample app as `email` (signed up first when there is no such
 * user), holding a fresh CSRF token: a form it posts, or `client.csrfToken` in an X-CSRF-Token header, passes.
 */
export async function signedInClient(app: TestApp, email = 'writer@example.com', password = WRITER_PASSWORD): Promise<TestClient> {
  const client = app.client();
  await client.get('/registration/new');
  const signUp = await client.post('/registration', { form: { user: { email, password, passwordConfirmation: password } } });
  if (signUp.status !== 303) {
    await client.get('/session/new');
    const signIn = await client.post('/session', { form: { session: { email, password } } });
    if (signIn.status !== 303) throw new Error(`could not sign in as ${email}: ${signIn.status}`);
  }
  await client.get('/passwords/new'); // the session was renewed at sign-in: a page with a form gives its token
  return client;
}

/** JSON request headers for a signed-in client: its CSRF token, and JSON accepted. */
export function jsonHeaders(client: TestClient): Record<string, string> {
  return { 'x-csrf-token': client.csrfToken!, accept: 'application/json' };
}

/** A signed-in client for JSON requests: every request carries its current CSRF token in X-CSRF-Token. */
export async function signedInApiClient(app: TestApp, email?: string): Promise<TestClient> {
  const client = await signedInClient(app, email);
  const request = client.request.bind(client);
  client.request = (method, url, options = {}) => request(method, url, { ...options, headers: { 'x-csrf-token': client.csrfToken!, ...options.headers } });
  return client;
}
