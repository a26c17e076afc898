/**
 * The wire protocol: JSON text frames, one object each.
 *
 * client -> server
 *   {"action":"speak","data":{...},"ref":1}        run the channel's @Action() `speak(data)`; `ref` (optional) is echoed
 * server -> client
 *   {"type":"ready","connection":"..."}              onConnect finished (missed messages, if any, came before it)
 *   {"type":"event","stream":"room:1","event":"message","data":{...},"id":"..."}   a broadcast (id: resume with it)
 *   {"type":"event","event":"notice","data":{...}}   sent to this connection only (this.send)
 *   {"type":"presence","stream":"room:1","event":"join"|"leave","member":{"id":"...",...}}
 *   {"type":"reply","ref":1,"data":...}              an action's return value (sent when it returned something or had a ref)
 *   {"type":"error","ref":1,"code":"STRYKE_E_CHANNELS_...","message":"..."}
 * Resume: connect with `?lastEventId=<id>` (the id of the last event seen): events of the channel's streams
 * broadcast since then, still in the resume buffer, arrive before `ready`.
 * Close codes: 1001 server going away (reconnect), 1008 policy (rate limit), 1009 message too big,
 * 4000-4999 refused by the channel (this.reject): do not reconnect.
 */

/** A broadcast as it travels between processes and sits in the resume buffer. */
export interface BroadcastMessage {
  stream: string;
  event: string;
  data: unknown;
  id: string;
  /** Milliseconds since the epoch when it was published (the id's first part). */
  at: number;
  /** The event frame, serialized once for every WebSocket subscriber. */
  frame?: string;
}

let seq = 0;
const NODE_TAG = Math.random().toString(36).slice(2, 6);

/** A message id: `<ms base36>-<sequence base36>-<node tag>`: unique across processes, ordered by time. */
export function nextId(now = Date.now()): string {
  seq = (seq + 1) % 0x7fffffff;
  return `${now.toString(36)}-${seq.toString(36)}-${NODE_TAG}`;
}

/** The time part of an id (NaN when it is not one of ours). */
export function idTime(id: string): number {
  const dash = id.indexOf('-');
  if (dash <= 0 || dash > 12) return Number.NaN;
  return parseInt(id.slice(0, dash), 36);
}

export function eventFrame(m: BroadcastMessage): string {
  return (m.frame ??= `{"type":"event","stream":${JSON.stringify(m.stream)},"event":${JSON.stringify(m.event)},"data":${JSON.stringify(m.data ?? null)},"id":"${m.id}"}`);
}

export function directFrame(event: string, data: unknown): string {
  return `{"type":"event","event":${JSON.stringify(event)},"data":${JSON.stringify(data ?? null)}}`;
}

export function presenceFrame(stream: string, event: 'join' | 'leave', member: unknown): string {
  return JSON.stringify({ type: 'presence', stream, event, member });
}

export function replyFrame(ref: unknown, data: unknown): string {
  return JSON.stringify(data === undefined ? { type: 'reply', ref } : { type: 'reply', ref, data });
}

export function errorFrame(code: string, message: string, ref?: unknown): string {
  return JSON.stringify(ref === undefined ? { type: 'error', code, message } : { type: 'error', ref, code, message });
}

export interface IncomingMessage {
  action: string;
  data: unknown;
  ref?: string | number;
}

/** Parses a client frame; a string describing the problem when it is not a valid message. */
export function parseMessage(text: string): IncomingMessage | string {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  if (typeof value.action !== 'string' || value.action === '') return 'no "action" string';
  const ref = value.ref;
  if (ref !== undefined && typeof ref !== 'string' && typeof ref !== 'number') return '"ref" must be a string or a number';
  return { action: value.action, data: value.data, ref };
}
