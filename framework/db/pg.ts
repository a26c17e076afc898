/**
 * PostgreSQL statements: SELECTs outside a transaction as named prepared statements, model reads as arrays
 * of the values' text with the layout of their columns, on the pool of pg-pool.ts, and one more try of a
 * model read whose connection was lost. All through node-postgres's public API: a statement that is not a
 * model read goes as a query config (`name`, `text`, `values`); a model read goes as a "submittable" (the
 * object `client.query` accepts in place of a config, as pg-cursor and pg-query-stream use it: `TextRead`
 * below), which keeps each row as the array of text the protocol parser made and hands back the columns'
 * description as it came. node-postgres's own query copies its config, builds a Result and its parsers and
 * calls a parser per value, which measured as most of a model read's client-side cost.
 */
import { connectionBroken, type PgCallback, type PgPool, type PgSlot } from './pg-pool';
import { STATEMENT_CACHE_LIMIT, type ColumnLayout, type QueryOutcome } from './outcome';

type PgParser = (text: string) => unknown;
export interface PgTypes {
  getTypeParser(oid: number, format?: string): PgParser;
}
type PgField = { name: string; dataTypeID: number };
type PgResult = { rows: any[]; rowCount: number | null; fields: PgField[] };
/** node-postgres's conversion of a bound value to its wire text (`pg.utils.prepareValue`). */
export type PgPrepareValue = (value: unknown) => unknown;

/**
 * The part of node-postgres's Connection a submittable is handed in `submit(connection)`: the protocol
 * messages it writes (`parse`, `bind`, `describe`, `execute`, `sync`, `sendCopyFail`, as pg-cursor writes
 * them), the socket (corked around the messages, as node-postgres's own query does), and the statements
 * the connection has parsed or has been sent by name (`parsedStatements`, `submittedNamedStatements`:
 * public fields the Client keeps up to date for any submittable with a `name` and a `text`, on
 * ParseComplete and on an error).
 */
interface PgConnection {
  readonly stream: { cork?: () => void; uncork?: () => void };
  readonly parsedStatements: Record<string, string | undefined>;
  readonly submittedNamedStatements: Record<string, string | undefined>;
  parse(config: { text: string; name?: string }): void;
  bind(config: { portal: string; statement?: string; values: unknown[]; binary: boolean }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/**
 * A model read sent through `client.query(submittable)`, the Client's public interface for query objects of
 * one's own: it writes Parse (unless this connection already parsed the named statement), Bind, Describe,
 * Execute and Sync, and the Client calls back its `handle...` methods as the server's messages come in. Each
 * DataRow's values arrive as an array of text (or null) from the protocol parser, kept as the row; the
 * RowDescription's fields give the layout. Completion and failure go through `callback`, which the Client
 * sets from `query(submittable, callback)` and wraps when it times the statement out (`query_timeout`).
 */
class TextRead {
  callback: PgCallback | undefined = undefined;
  readonly list: string[][] = [];
  fields: readonly PgField[] = [];
  count = 0;

  /** `name` and `text` are read by the Client too (it records a named statement once parsed). */
  constructor(readonly text: string, readonly name: string | undefined, private readonly binds: unknown[], private readonly prepare: PgPrepareValue) {}

  submit(connection: PgConnection): Error | null {
    const { name, text } = this;
    const seen = name ? connection.parsedStatements[name] ?? connection.submittedNamedStatements[name] : undefined;
    if (seen !== undefined && seen !== text) return new Error(`Prepared statements must be unique - '${name}' was used for a different statement`);
    // The values' text first: a value that cannot be sent fails the statement before anything is written.
    let values: unknown[];
    try {
      values = this.binds.map(this.prepare);
    } catch (e) {
      return e as Error;
    }
    const stream = connection.stream;
    stream.cork?.();
    try {
      if (seen === undefined) {
        connection.parse(name ? { text, name } : { text });
        if (name) connection.submittedNamedStatements[name] = text;
      }
      connection.bind({ portal: '', statement: name, values, binary: false });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
      connection.sync();
    } finally {
      stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: PgField[] }): void {
    this.fields = msg.fields;
  }

  handleDataRow(msg: { fields: string[] }): void {
    this.list.push(msg.fields);
  }

  handleCommandComplete(msg: { text: string }): void {
    // "SELECT 3", "INSERT 0 1", "UPDATE 2": the count is the last word, when there is one.
    const text = msg.text;
    const n = Number(text.slice(text.lastIndexOf(' ') + 1));
    this.count = Number.isInteger(n) ? n : 0;
  }

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFail('No source stream defined');
  }

  handleCopyData(): void {}

  handleError(err: Error): void {
    this.finish(err);
  }

  handleReadyForQuery(): void {
    this.finish(null);
  }

  private finish(err: Error | null): void {
    const cb = this.callback;
    this.callback = undefined;
    cb?.(err, this);
  }
}

const PG_PREPARED_LIMIT = 1000;

export class PgRunner {
  private readonly names = new Map<string, string>();
  /** Rows read as arrays: the column layout last seen per SQL text (one array per layout). */
  private readonly layouts = new Map<string, ColumnLayout>();

  constructor(readonly pool: PgPool, private readonly types: PgTypes, private readonly prepare: PgPrepareValue) {}

  /**
   * A statement outside a transaction. A SELECT is sent as a named prepared statement (one name per SQL
   * text, up to a cap), so each connection parses and plans a query shape once rather than on every call.
   * Asked for arrays, its rows come as arrays of the values' text (a `TextRead`): node-postgres builds no
   * object per row and parses no value; the model layer's row mapper converts each column as the layout
   * says. A model read whose connection was lost is sent once more.
   */
  run(sql: string, binds: unknown[], arrays = false): Promise<QueryOutcome> {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < PG_PREPARED_LIMIT && sql.startsWith('SELECT ')) {
      name = `stryke_${this.names.size}`;
      this.names.set(sql, name);
    }
    // One promise per statement, settled from the driver's callback.
    return new Promise((resolve, reject) => this.pool.query(this.config(name, sql, binds, arrays), (err, r) => {
      if (err) this.retry(sql, binds, arrays, name, err).then(resolve, reject);
      else {
        try {
          resolve(this.outcome(sql, r, arrays));
        } catch (e) {
          reject(e);
        }
      }
    }));
  }

  /** A model read as a submittable of text arrays, anything else as a query config (one result of objects). */
  private config(name: string | undefined, sql: string, binds: unknown[], arrays: boolean): object {
    if (arrays) return new TextRead(sql, name || undefined, binds, this.prepare);
    return name ? { name, text: sql, values: binds } : { text: sql, values: binds };
  }

  /** A statement that failed: sent once more when that can succeed, else its error goes on. */
  private async retry(sql: string, binds: unknown[], arrays: boolean, name: string | undefined, err: Error): Promise<QueryOutcome> {
    const code = (err as { code?: string }).code;
    if (name && code === '0A000') {
      // A table changed under a prepared statement ("cached plan must not change result type"): unnamed from now on.
      this.names.set(sql, '');
    } else if (!(arrays && connectionLost(err))) {
      throw err;
    }
    // Or a model read (a plain SELECT) whose connection was lost (a backend terminated, a server restart):
    // tried once more, on another connection.
    const again = this.config(code === '0A000' ? undefined : name, sql, binds, arrays);
    const r = await new Promise<unknown>((resolve, reject) => this.pool.query(again, (e, res) => (e ? reject(e) : resolve(res))));
    return this.outcome(sql, r, arrays);
  }

  private outcome(sql: string, r: unknown, arrays: boolean): QueryOutcome {
    if (!arrays) {
      const res = r as PgResult;
      return { rows: res.rows ?? [], affected: res.rowCount ?? 0 };
    }
    const read = r as TextRead;
    return { rows: read.list as unknown as QueryOutcome['rows'], affected: read.count, columns: this.layout(sql, read.fields) };
  }

  /**
   * A statement on one client (a transaction's): unnamed, as a prepared statement gone stale would abort
   * the whole transaction. A model read comes as text arrays too.
   */
  runOn(slot: PgSlot, sql: string, binds: unknown[], arrays = false): Promise<QueryOutcome> {
    const query = this.config(undefined, sql, binds, arrays);
    return new Promise((resolve, reject) => {
      const cb: PgCallback = (err, res) => {
        if (err) return reject(err);
        try {
          resolve(this.outcome(sql, res, arrays));
        } catch (e) {
          reject(e);
        }
      };
      try {
        slot.client.query(query, cb);
      } catch (e) {
        reject(e);
      }
    });
  }

  /**
   * The layout of a result read as text arrays: its column names (the same array while the names and types
   * stay the same: the model layer keeps one row mapper per array) and, as `text`, each column's type and
   * the driver's parser for it. Checked on every result: another connection may have prepared the
   * statement after the table changed.
   */
  private layout(sql: string, fields: readonly PgField[]): ColumnLayout {
    const known = this.layouts.get(sql);
    if (known && known.length === fields.length) {
      const oids = known.text!.oids;
      let i = 0;
      while (i < fields.length && fields[i]!.name === known[i] && fields[i]!.dataTypeID === oids[i]) i++;
      if (i === fields.length) return known;
    }
    const layout: ColumnLayout = Object.assign(fields.map((f) => f.name), {
      text: {
        oids: fields.map((f) => f.dataTypeID),
        parsers: fields.map((f) => this.types.getTypeParser(f.dataTypeID, 'text')),
      },
    });
    if (this.layouts.size >= STATEMENT_CACHE_LIMIT) this.layouts.clear();
    this.layouts.set(sql, layout);
    return layout;
  }

  close(): void {
    this.layouts.clear();
  }
}

/** Whether a PostgreSQL error says the connection itself was lost (not that the statement failed). */
export function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const message = (err as { message?: unknown })?.message;
  return typeof message === 'string' && /^Connection terminated|not queryable|ECONNRESET|EPIPE/.test(message);
}

export { connectionBroken };
