/** What one process tells the others over a transport (cluster IPC, Redis, PostgreSQL). Short keys: it is on every broadcast. */
export type Envelope =
  /** A broadcast. */
  | { k: 'b'; n: string; s: string; e: string; d: unknown; i: string; t: number }
  /** A presence entry added or removed. */
  | { k: 'pj'; n: string; s: string; m: string; meta: Record<string, unknown> }
  | { k: 'pl'; n: string; s: string; m: string }
  /** A process is alive (its presence entries stay). */
  | { k: 'hb'; n: string }
  /** A process asks every other for its presence entries; `sync` is the answer (all of them, replacing earlier ones). */
  | { k: 'sync?'; n: string }
  | { k: 'sync'; n: string; entries: [string, string, Record<string, unknown>][] }
  /** A process that just started asks for the others' resume buffers; `buf` is one answer (in parts). */
  | { k: 'buf?'; n: string }
  | { k: 'buf'; n: string; to: string; msgs: [string, string, unknown, string, number][]; done?: boolean }
  /** A process is gone (the cluster primary saw its worker exit): drop its presence entries now. */
  | { k: 'gone'; n: string; pid?: number };

/** How broadcasts leave this process. */
export interface Transport {
  readonly name: string;
  /** The largest serialized envelope it carries, in bytes (PostgreSQL NOTIFY: under 8000). */
  readonly maxBytes?: number;
  /** Hands an envelope to the other processes; never throws for a lost connection (it queues or drops, and logs). */
  publish(envelope: Envelope): void;
  /** Starts delivering the others' envelopes to `receive`; `up` runs on each (re)connection. */
  start(receive: (envelope: Envelope) => void, up: () => void): Promise<void>;
  close(): Promise<void>;
}
