import type { FastifyInstance } from 'fastify';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes (a binary download, a range of one). */
  rawBody: Buffer;
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
  /**
   * A multipart/form-data body, as a browser sends a form with file inputs: the fields (nested keys as
   * `post[title]`, the CSRF token first) and then the files, in order.
   */
  multipart?: { fields?: Record<string, unknown>; files?: MultipartFile[] };
}

/** One file of a multipart body: its field name (`post[cover]`), its name and type as the browser says, and its bytes. */
export interface MultipartFile {
  field: string;
  filename: string;
  contentType?: string;
  data: Buffer | string;
}

/** Builds a multipart/form-data body: the boundary and the bytes. */
export function multipartBody(fields: [string, string][], files: MultipartFile[]): { boundary: string; body: Buffer } {
  const boundary = `----stryke${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  const q = (s: string) => s.replace(/"/g, '%22').replace(/\r|\n/g, ' ');
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${q(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${q(f.field)}"; filename="${q(f.filename)}"\r\nContent-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(Buffer.from(f.data), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(parts) };
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
    let payload: string | Buffer | undefined;
    if (options.multipart) {
      const fields: Record<string, unknown> = {};
      if (!options.withoutCsrf && this.csrfToken && options.multipart.fields?.authenticity_token === undefined) fields.authenticity_token = this.csrfToken;
      Object.assign(fields, options.multipart.fields);
      const pairs = encodeForm(fields).map((p) => p.split('=').map((x) => decodeURIComponent(x)) as [string, string]);
      const { boundary, body } = multipartBody(pairs, options.multipart.files ?? []);
      payload = body;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    } else if (options.form) {
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
      rawBody: res.rawPayload,
      json: () => JSON.parse(res.body),
    };
  }
}
