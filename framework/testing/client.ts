import type { FastifyInstance } from 'fastify';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A form body, sent as application/x-www-form-urlencoded (nested keys as `post[title]`). */
  form?: Record<string, unknown>;
  /** A JSON body. */
  json?: unknown;
  /** Leave out the CSRF token this client would otherwise add to forms. */
  withoutCsrf?: boolean;
}

function encodeForm(data: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...encodeForm(v as Record<string, unknown>, key));
    else if (Array.isArray(v)) for (const item of v) out.push(`${encodeURIComponent(`${key}[]`)}=${encodeURIComponent(String(item))}`);
    else out.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v ?? ''))}`);
  }
  return out;
}

const TOKEN_RE = /name="(?:authenticity_token|csrf-token)"\s+(?:value|content)="([^"]+)"/;

/**
 * A browser-like client over fastify's `inject`: it keeps cookies between requests, remembers the CSRF
 * token of the last page it rendered, and adds it to the forms it posts, as a browser submitting that
 * page's form would.
 */
export class TestClient {
  private readonly cookies = new Map<string, string>();
  csrfToken?: string;

  constructor(private readonly server: FastifyInstance) {}

  /** The Cookie header this client sends (for a channel socket in the same session: connectChannel's `client`). */
  cookieHeader(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  get(url: string, options: RequestOptions = {}) {
    return this.request('GET', url, options);
  }
  post(url: string, options: RequestOptions = {}) {
    return this.request('POST', url, options);
  }
  patch(url: string, options: RequestOptions = {}) {
    return this.request('PATCH', url, options);
  }
  put(url: string, options: RequestOptions = {}) {
    return this.request('PUT', url, options);
  }
  delete(url: string, options: RequestOptions = {}) {
    return this.request('DELETE', url, options);
  }

  async request(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: string | undefined;
    if (options.form) {
      const form = { ...options.form };
      if (!options.withoutCsrf && this.csrfToken && form.authenticity_token === undefined) form.authenticity_token = this.csrfToken;
      payload = encodeForm(form).join('&');
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const res = await this.server.inject({ method: method as any, url, headers, payload });
    const setCookie = res.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    const m = TOKEN_RE.exec(res.body);
    if (m) this.csrfToken = m[1]!.replace(/&#x3D;/g, '=');
    return {
      status: res.statusCode,
      headers: res.headers as TestResponse['headers'],
      body: res.body,
      json: () => JSON.parse(res.body),
    };
  }
}
