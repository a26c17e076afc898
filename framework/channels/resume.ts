import { fabric } from './fabric';
import type { BroadcastMessage } from './protocol';

/**
 * What a connection that has just run its onConnect is sent first: with `?lastEventId=` (`since`), what was
 * broadcast to the streams it joined after that id, oldest first; then what was broadcast to it during onConnect
 * (`held`), less what the first part already has.
 */
export function resumeMessages(joined: Iterable<string>, since: string | undefined, held: BroadcastMessage[]): BroadcastMessage[] {
  const out: BroadcastMessage[] = [];
  if (since !== undefined) {
    for (const stream of joined) out.push(...fabric.buffer.since(stream, since));
    out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }
  const sent = new Set(out.map((m) => m.id));
  for (const m of held) if (!sent.has(m.id)) out.push(m);
  return out;
}
