/** Who is connected to each stream, across every process: this process's entries and the others' replicas. */
export interface Member {
  /** The connection's id (unique across processes). */
  id: string;
  [key: string]: unknown;
}

interface Entry {
  node: string;
  member: Member;
}

export class PresenceTable {
  private readonly streams = new Map<string, Map<string, Entry>>();

  add(stream: string, node: string, key: string, meta: Record<string, unknown>): Member {
    let entries = this.streams.get(stream);
    if (!entries) this.streams.set(stream, (entries = new Map()));
    const member: Member = { ...meta, id: key };
    entries.set(key, { node, member });
    return member;
  }

  remove(stream: string, key: string): Member | undefined {
    const entries = this.streams.get(stream);
    const entry = entries?.get(key);
    if (!entry) return undefined;
    entries!.delete(key);
    if (entries!.size === 0) this.streams.delete(stream);
    return entry.member;
  }

  list(stream: string): Member[] {
    const entries = this.streams.get(stream);
    return entries ? [...entries.values()].map((e) => e.member) : [];
  }

  /** Every entry of one process (or of every process whose id matches), as [stream, key, member]. */
  of(match: (node: string) => boolean): [string, string, Member][] {
    const out: [string, string, Member][] = [];
    for (const [stream, entries] of this.streams) for (const [key, e] of entries) if (match(e.node)) out.push([stream, key, e.member]);
    return out;
  }
}
