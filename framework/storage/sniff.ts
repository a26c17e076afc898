/**
 * The content type of a file from its first bytes (magic numbers), never from its name or the type the
 * client claimed: PNG, JPEG, GIF, WebP, AVIF, BMP, ICO, PDF, ZIP, gzip, MP4, WebM, MP3, WAV, OGG; SVG and HTML
 * (recognised so they can be refused or never served inline); UTF-8 text; otherwise application/octet-stream.
 */
export const SNIFF_BYTES = 512;

const ascii = (buf: Buffer, at: number, text: string) => buf.length >= at + text.length && buf.toString('latin1', at, at + text.length) === text;
const bytes = (buf: Buffer, at: number, ...values: number[]) => buf.length >= at + values.length && values.every((v, i) => buf[at + i] === v);

/** Markup that makes a browser run script when the file is opened: the WHATWG sniffing table's HTML tags, and SVG. */
const HTML_TAGS = ['<!doctype html', '<html', '<head', '<body', '<script', '<iframe', '<h1', '<div', '<font', '<table', '<a', '<style', '<title', '<b', '<br', '<p', '<!--'];

export function sniffContentType(head: Buffer): string {
  if (bytes(head, 0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (bytes(head, 0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 4, 'ftyp')) {
    const brand = head.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand.startsWith('heic') || brand === 'heix' || brand === 'mif1') return 'image/heic';
    return 'video/mp4';
  }
  if (ascii(head, 0, 'BM') && head.length >= 14) return 'image/bmp';
  if (bytes(head, 0, 0x00, 0x00, 0x01, 0x00)) return 'image/x-icon';
  if (ascii(head, 0, '%PDF-')) return 'application/pdf';
  if (bytes(head, 0, 0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  if (bytes(head, 0, 0x1f, 0x8b)) return 'application/gzip';
  if (bytes(head, 0, 0x1a, 0x45, 0xdf, 0xa3)) return 'video/webm';
  if (ascii(head, 0, 'OggS')) return 'audio/ogg';
  if (ascii(head, 0, 'ID3') || bytes(head, 0, 0xff, 0xfb)) return 'audio/mpeg';
  if (head.length === 0) return 'application/x-empty';
  if (!isText(head)) return 'application/octet-stream';
  return markup(head) ?? 'text/plain';
}

/** UTF-8 (or ASCII) without control bytes other than tab, newline, form feed and carriage return; a cut multi-byte tail is fine. */
function isText(head: Buffer): boolean {
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) return false;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const bad = text.indexOf('\uFFFD');
  // A replacement character only in the last 3 bytes is a multi-byte sequence cut by the sniff window.
  return bad === -1 || bad >= text.length - 3;
}

function markup(head: Buffer): string | undefined {
  let text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (!text.startsWith('<')) return undefined;
  if (text.startsWith('<?xml')) return text.includes('<svg') ? 'image/svg+xml' : 'application/xml';
  if (text.startsWith('<svg') || /^<!doctype svg/.test(text)) return 'image/svg+xml';
  text = text.slice(0, 64);
  for (const tag of HTML_TAGS) {
    if (!text.startsWith(tag)) continue;
    const next = text[tag.length];
    if (tag === '<!--' || next === undefined || next === ' ' || next === '>' || next === '\t' || next === '\n' || next === '\r' || next === '/') return 'text/html';
  }
  return undefined;
}

/** Types a browser may show inline: it renders them without running anything from the file. SVG and HTML are never among them. */
export const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'application/pdf', 'text/plain', 'video/mp4', 'video/webm', 'audio/mpeg', 'audio/ogg', 'audio/wav']);

/** What config/storage.toml allows when it says nothing: common images, PDF and plain text. */
export const DEFAULT_ALLOWED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'application/pdf', 'text/plain'];
