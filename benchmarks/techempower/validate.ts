/**
 * TechEmpower's checks, run against each implementation before it is measured: the headers every answer needs,
 * the bodies, queries clamped to 1..500, fortunes escaped and sorted with the added one, updates really written
 * (read back from the database), cached rows equal to the database's.
 */
import type { Pool } from 'pg';

export interface Checked {
  /** Findings that TechEmpower warns about but does not fail (a missing Server header). */
  warnings: string[];
}

const ADDED = 'Additional fortune added at request time.';

function fail(url: string, why: string): never {
  throw new Error(`${url}: ${why}`);
}

async function get(url: string, type: string, warnings: Set<string>): Promise<string> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) fail(url, `status ${res.status}: ${body.slice(0, 200)}`);
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.toLowerCase().startsWith(type)) fail(url, `content-type ${JSON.stringify(ct)}, expected ${type}`);
  if (!res.headers.get('date')) fail(url, 'no Date header');
  if (!res.headers.get('content-length') && !res.headers.get('transfer-encoding')) fail(url, 'neither Content-Length nor Transfer-Encoding');
  if (!res.headers.get('server')) warnings.add('no Server header (TechEmpower warns)');
  return body;
}

function json(url: string, body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return fail(url, `not JSON: ${body.slice(0, 200)}`);
  }
}

function checkWorldShape(url: string, w: any): void {
  if (!w || typeof w !== 'object' || Array.isArray(w) || Object.keys(w).sort().join() !== 'id,randomNumber') fail(url, `not a World row: ${JSON.stringify(w)}`);
  if (!Number.isInteger(w.id) || w.id < 1 || w.id > 10_000 || !Number.isInteger(w.randomNumber) || w.randomNumber < 1 || w.randomNumber > 10_000) {
    fail(url, `World row out of range: ${JSON.stringify(w)}`);
  }
}

async function dbValues(pool: Pool, ids: number[]): Promise<Map<number, number>> {
  const { rows } = await pool.query('SELECT id, "randomNumber" FROM world WHERE id = ANY($1::int[])', [ids]);
  return new Map(rows.map((r: any) => [r.id, r.randomNumber]));
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

/** Every test of one server at `base`, against the database behind `pool`. */
export async function validate(base: string, pool: Pool): Promise<Checked> {
  const warnings = new Set<string>();
  const url = (p: string) => `${base}${p}`;

  if ((await get(url('/plaintext'), 'text/plain', warnings)) !== 'Hello, World!') fail(url('/plaintext'), 'body is not "Hello, World!"');

  const j = json(url('/json'), await get(url('/json'), 'application/json', warnings));
  if (JSON.stringify(j) !== '{"message":"Hello, World!"}') fail(url('/json'), `body ${JSON.stringify(j)}`);

  const one = json(url('/db'), await get(url('/db'), 'application/json', warnings));
  checkWorldShape(url('/db'), one);
  if ((await dbValues(pool, [one.id])).get(one.id) !== one.randomNumber) fail(url('/db'), `row ${JSON.stringify(one)} is not the database's`);

  // Clamping, as TechEmpower's verifier asks: missing, not a number, 0 and 501 included.
  const counts: [string, number][] = [['', 1], ['=foo', 1], ['=0', 1], ['=1', 1], ['=20', 20], ['=501', 500]];
  for (const [path, param] of [['/queries', 'queries'], ['/cached-queries', 'count']] as const) {
    for (const [q, n] of counts) {
      const u = url(`${path}${q ? `?${param}${q}` : ''}`);
      const list = json(u, await get(u, 'application/json', warnings));
      if (!Array.isArray(list) || list.length !== n) fail(u, `expected ${n} rows, got ${Array.isArray(list) ? list.length : typeof list}`);
      list.forEach((w: any) => checkWorldShape(u, w));
      const db = await dbValues(pool, list.map((w: any) => w.id));
      for (const w of list) if (db.get(w.id) !== w.randomNumber) fail(u, `row ${JSON.stringify(w)} is not the database's (${db.get(w.id)})`);
    }
  }

  for (const [q, n] of counts) {
    const u = url(`/updates${q ? `?queries${q}` : ''}`);
    const list = json(u, await get(u, 'application/json', warnings));
    if (!Array.isArray(list) || list.length !== n) fail(u, `expected ${n} rows, got ${Array.isArray(list) ? list.length : typeof list}`);
    list.forEach((w: any) => checkWorldShape(u, w));
    // Rows drawn twice in one request may end with either value; each row drawn once must be as answered.
    const seen = new Map<number, number>();
    for (const w of list) seen.set(w.id, (seen.get(w.id) ?? 0) + 1);
    const db = await dbValues(pool, list.map((w: any) => w.id));
    for (const w of list) if (seen.get(w.id) === 1 && db.get(w.id) !== w.randomNumber) fail(u, `row ${w.id} answered ${w.randomNumber}, the database has ${db.get(w.id)}: not written`);
  }
  // An update changes what it answers: 20 rows each keeping their old number by chance happens once in 10^80.
  {
    const u = url('/updates?queries=20');
    const before = await dbValues(pool, Array.from({ length: 10_000 }, (_, i) => i + 1));
    const list = json(u, await get(u, 'application/json', warnings));
    if (!list.some((w: any) => before.get(w.id) !== w.randomNumber)) fail(u, 'no row changed');
  }

  const page = await get(url('/fortunes'), 'text/html', warnings);
  const flat = page.replace(/>\s+</g, '><').trim();
  if (!/^<!DOCTYPE html><html><head><title>Fortunes<\/title><\/head><body><table><tr><th>id<\/th><th>message<\/th><\/tr>/i.test(flat) || !/<\/table><\/body><\/html>$/.test(flat)) {
    fail(url('/fortunes'), `not the fortunes page:\n${page}`);
  }
  if (!flat.includes('<td>&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;</td>')) fail(url('/fortunes'), 'the <script> fortune is not escaped');
  const rows = [...flat.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => ({ id: Number(m[1]), message: unescape(m[2]!) }));
  const { rows: stored } = await pool.query('SELECT id, message FROM fortune');
  const expected = [...stored, { id: 0, message: ADDED }].sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  if (JSON.stringify(rows) !== JSON.stringify(expected)) fail(url('/fortunes'), `rows are not the table plus the added fortune, sorted by message:\n${JSON.stringify(rows)}`);

  return { warnings: [...warnings] };
}
