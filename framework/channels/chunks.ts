import { ChannelErrors } from './errors';
/**
 * Splitting an envelope too long for one PostgreSQL NOTIFY (payloads must stay under 8000 bytes) into
 * parts, and putting them back together on the listeners.
 *
 * A part is `#<key>:<index>:<count>:<text>`: `key` names the message (the sender's tag and a counter),
 * `text` is a slice of the envelope's JSON cut on a UTF-8 character boundary. An envelope that fits is
 * sent as its JSON (which starts with `{`, never `#`). The sender sends every part of a message in one
 * transaction, so listeners get all of them or none, next to one another, in commit order: a message
 * built from parts keeps its place among the sender's other messages.
 */

/** Bytes of envelope text in one part (the header takes at most ~40 more; NOTIFY's limit is 8000). */
export const PART_BYTES = 7800;
/** Parts in one message at most (the transport refuses larger broadcasts before they are cut). */
export const MAX_PARTS = 1000;
/** Messages being put together at once on a listener (a sender that died halfway leaves one behind). */
const MAX_ASSEMBLING = 64;

/** Cuts `text` into slices of at most `limit` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, limit = PART_BYTES): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // Back up over continuation bytes (10xxxxxx) so the slice ends on a character boundary.
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    out.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return out;
}

/** The NOTIFY payloads for one envelope's JSON: itself when it fits, else its numbered parts. */
export function toParts(json: string, key: string, limit = PART_BYTES): string[] {
  if (Buffer.byteLength(json) <= limit) return [json];
  const slices = splitUtf8(json, limit);
  return slices.map((s, i) => `#${key}:${i}:${slices.length}:${s}`);
}

/** A listener's half-assembled messages. */
export class Reassembler {
  private readonly open = new Map<string, (string | undefined)[]>();

  /**
   * Takes one payload; returns the whole envelope's JSON when it is complete (a plain payload at once),
   * undefined while parts are missing, or throws on a malformed part.
   */
  take(payload: string): string | undefined {
    if (!payload.startsWith('#')) return payload;
    const a = payload.indexOf(':');
    const b = payload.indexOf(':', a + 1);
    const c = payload.indexOf(':', b + 1);
    if (a < 2 || b < 0 || c < 0) throw ChannelErrors.BAD_PART('malformed part header');
    const key = payload.slice(1, a);
    const index = Number(payload.slice(a + 1, b));
    const count = Number(payload.slice(b + 1, c));
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 2 || count > MAX_PARTS || index < 0 || index >= count) throw ChannelErrors.BAD_PART('malformed part header');
    let parts = this.open.get(key);
    if (!parts) {
      if (this.open.size >= MAX_ASSEMBLING) this.open.delete(this.open.keys().next().value!);
      this.open.set(key, (parts = new Array(count)));
    }
    if (parts.length !== count) throw ChannelErrors.BAD_PART('its part count changed');
    parts[index] = payload.slice(c + 1);
    for (let i = 0; i < count; i++) if (parts[i] === undefined) return undefined;
    this.open.delete(key);
    return parts.join('');
  }

  /** How many messages are waiting for parts. */
  get pending(): number {
    return this.open.size;
  }
}
