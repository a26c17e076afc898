/**
 * One byte range of a `Range: bytes=...` header against a resource of `size` bytes (RFC 9110 14.2):
 * `{ start, end }` (inclusive) to answer 206; `'unsatisfiable'` to answer 416; undefined to ignore the
 * header and answer 200 with everything (a unit other than bytes, a malformed header, several ranges).
 */
export type ByteRange = { start: number; end: number };

export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined; // several ranges, another unit, or garbage: the whole resource
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    // A suffix: the last b bytes.
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  let end = b === '' ? size - 1 : Number(b);
  if (!Number.isSafeInteger(end) || end < start) return b !== '' && end < start ? undefined : 'unsatisfiable';
  if (end >= size) end = size - 1;
  return { start, end };
}

/**
 * Whether a Range header applies: without If-Range always; with it only when it names the current
 * entity tag (a date, or a weak tag, never matches: the whole resource is sent).
 */
export function rangeApplies(ifRange: string | string[] | undefined, etag: string | undefined): boolean {
  if (ifRange === undefined) return true;
  const v = String(ifRange).trim();
  return etag !== undefined && v.startsWith('"') && v === etag;
}
