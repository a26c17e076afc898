/**
 * PostgreSQL statements: SELECTs outside a transaction as named prepared statements, model reads as arrays
 * of the values' text with the layout of their columns, on the pool of pg-pool.ts, and one more try of a
 * model read whose connection was lost. All through node-postgres's public query config: `name`,
 * `rowMode: 'array'`, `queryMode: 'extended'`, and a per-query `types` whose parser leaves each value's text
 * as it came off the wire (the model layer's row mapper converts it).
 */
import { connectionBroken, type PgCallback, type PgPool, type PgSlot } from './pg-pool';
import { STATEMENT_CACHE_LIMIT, type ColumnLayout, type QueryOutcome } from './outcome';

type PgParser = (text: string) => unknown;
export interface PgTypes {
  getTypeParser(oid: number, format?: string): PgParser;
}
type PgField = { name: string; dataTypeID: number };
type PgResult = { rows: any[]; rowCount: number | null; fields: PgField[] };

const PG_PREPARED_LIMIT = 1000;
const asText = (text: string) => text;
/** Every column's value as its text: the parsers the model layer needs come with the layout. */
const TEXT_TYPES = { getTypeParser: () => asText };

export class PgRunner {
  private readonly names = new Map<string, string>();
  /** Rows read as arrays: the column layout last seen per SQL text (one array per layout). */
  private readonly layouts = new Map<string, ColumnLayout>();

  constructor(readonly pool: PgPool, private readonly types: PgTypes) {}

  /**
   * A statement outside a transaction. A SELECT is sent as a named prepared statement (one name per SQL
   * text, up to a cap), so each connection parses and plans a query shape once rather than on every call.
   * Asked for arrays, its rows come as arrays of the values' text: node-postgres builds no object per row and
   * parses no value; the model layer's row mapper converts each column as the layout says. A model read whose
   * connection was lost is sent once more.
   */
  run(sql: string, binds: unknown[], arrays = false): Promise<QueryOutcome> {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < PG_PREPARED_LIMIT && sql.startsWith('SELECT ')) {
      name = `stryke_${this.names.size}`;
      this.names.set(sql, name);
    }
    const query = this.config(name, sql, binds, arrays);
    // One promise per statement, settled from the driver's callback.
    return new Promise((resolve, reject) => this.pool.query(query, (err, r) => {
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

  private config(name: string | undefined, sql: string, binds: unknown[], arrays: boolean): object {
    if (arrays) {
      // Always the extended protocol (one statement, one result), even unnamed and without values.
      return name ? { name, text: sql, values: binds, rowMode: 'array', types: TEXT_TYPES, queryMode: 'extended' }
        : { text: sql, values: binds, rowMode: 'array', types: TEXT_TYPES, queryMode: 'extended' };
    }
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
    const r = await new Promise<PgResult>((resolve, reject) => this.pool.query(again, (e, res) => (e ? reject(e) : resolve(res))));
    return this.outcome(sql, r, arrays);
  }

  private outcome(sql: string, r: PgResult, arrays: boolean): QueryOutcome {
    if (!arrays) return { rows: r.rows ?? [], affected: r.rowCount ?? 0 };
    return { rows: r.rows, affected: r.rowCount ?? 0, columns: this.layout(sql, r.fields) };
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
          resolve(this.outcome(sql, res as PgResult, arrays));
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
