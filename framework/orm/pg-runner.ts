/**
 * PostgreSQL statements outside a transaction: SELECTs as named prepared statements, model reads as arrays
 * of the values' text (pg-text.ts) with the layout of their columns, on clients held out of the pool
 * (pg-lease.ts), and one more try of a model read whose connection was lost.
 */
import type { DataSource } from 'typeorm';
import { PgLease, type PgCallback, type PgLeasePool } from './pg-lease';
import { pgTextReader, textQueryClass, type PgTextResult, type PgTypeParsers } from './pg-text';
import { STATEMENT_CACHE_LIMIT, type ColumnLayout, type QueryOutcome } from './query-outcome';

type PgResult = { rows: any[]; rowCount: number | null };
/** A node-postgres client (a transaction's, as TypeORM's query runner holds it). */
export type PgClient = { query(query: object, cb: (err: Error | null, result: unknown) => void): void };
type PgModule = { types: PgTypeParsers; Query: new (text: string, values: unknown[]) => object };

const PG_PREPARED_LIMIT = 1000;

export class PgRunner {
  private readonly names = new Map<string, string>();
  /** Rows read as arrays: the column layout last seen per SQL text (one array per layout). */
  private readonly layouts = new Map<string, ColumnLayout>();
  private TextQuery: (new (name: string | undefined, text: string, values: unknown[]) => object) | undefined;
  /** Clients held out of the pool for statements outside a transaction (pg-lease.ts). */
  private lease: PgLease | undefined;
  private closing = false;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * PostgreSQL: a SELECT is sent as a named prepared statement (one name per SQL text, up to a cap), so
   * each pooled connection parses and plans a query shape once rather than on every call. Asked for
   * arrays, its rows come as arrays of the values' text (pg-text.ts): node-postgres builds no object per
   * row and parses no value; the model layer's row mapper converts each column as the layout says. It runs
   * on a client held out of the pool (pg-lease.ts: no pool bookkeeping per statement). A model read whose
   * connection was lost is sent once more.
   */
  run(sql: string, binds: unknown[], arrays = false): Promise<QueryOutcome> {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < PG_PREPARED_LIMIT && sql.startsWith('SELECT ')) {
      name = `stryke_${this.names.size}`;
      this.names.set(sql, name);
    }
    const query = arrays ? this.textQuery(name, sql, binds) : name ? { name, text: sql, values: binds } : { text: sql, values: binds };
    // One promise per statement, settled from the driver's callback.
    return new Promise((resolve, reject) => this.send(query, (err, r) => {
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
    const again = arrays ? this.textQuery(code === '0A000' ? undefined : name, sql, binds) : { text: sql, values: binds };
    const r = await new Promise<PgResult>((resolve, reject) => this.send(again, (e, res) => (e ? reject(e) : resolve(res))));
    return this.outcome(sql, r, arrays);
  }

  private outcome(sql: string, r: PgResult, arrays: boolean): QueryOutcome {
    if (!arrays) return { rows: r.rows ?? [], affected: r.rowCount ?? 0 };
    const t = r as unknown as PgTextResult;
    return { rows: t.rows, affected: t.rowCount ?? 0, columns: this.layout(sql, t.fields) };
  }

  /** Sends a query outside a transaction: on a client held out of the pool, or the pool's own when all are busy. */
  private send(query: object, cb: PgCallback): void {
    const pool = (this.dataSource.driver as unknown as { master: PgLeasePool }).master;
    if (this.closing) pool.query(query, cb);
    else (this.lease ??= new PgLease(pool)).query(query, cb);
  }

  /** How many clients are held out of node-postgres's pool now. */
  get heldClients(): number {
    return this.lease?.size ?? 0;
  }

  /**
   * A model read in a transaction, on the transaction's client: as text arrays too. Unnamed, as TypeORM's
   * runner sends its statements: a prepared statement gone stale would abort the whole transaction.
   */
  runOnClient(client: PgClient, sql: string, binds: unknown[]): Promise<QueryOutcome> {
    return new Promise((resolve, reject) => {
      client.query(this.textQuery(undefined, sql, binds), (err, res) => {
        if (err) return reject(err);
        try {
          resolve(this.outcome(sql, res as PgResult, true));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** A query whose rows come as arrays of the values' text (pg-text.ts). */
  private textQuery(name: string | undefined, sql: string, binds: unknown[]): object {
    this.TextQuery ??= textQueryClass(this.pgModule().Query);
    return new this.TextQuery(name, sql, binds);
  }

  /** node-postgres, as TypeORM's driver loaded it. */
  private pgModule(): PgModule {
    return (this.dataSource.driver as unknown as { postgres: PgModule }).postgres;
  }

  /**
   * The layout of a result read as text arrays: its column names (the same array while the names and types
   * stay the same: the model layer keeps one row mapper per array) and, as `text`, each column's type and
   * the driver's parser for it. Checked on every result: another connection of the pool may have prepared
   * the statement after the table changed.
   */
  private layout(sql: string, fields: readonly { name: string; dataTypeID: number }[]): ColumnLayout {
    const known = this.layouts.get(sql);
    if (known && known.length === fields.length) {
      const oids = known.text!.oids;
      let i = 0;
      while (i < fields.length && fields[i]!.name === known[i] && fields[i]!.dataTypeID === oids[i]) i++;
      if (i === fields.length) return known;
    }
    const types = this.pgModule().types;
    const layout: ColumnLayout = Object.assign(fields.map((f) => f.name), {
      text: {
        oids: fields.map((f) => f.dataTypeID),
        parsers: fields.map((f) => types.getTypeParser(f.dataTypeID, 'text')),
        reader: pgTextReader,
      },
    });
    if (this.layouts.size >= STATEMENT_CACHE_LIMIT) this.layouts.clear();
    this.layouts.set(sql, layout);
    return layout;
  }

  /** From now on statements go to the pool's own clients; the held ones go back as they finish. */
  close(): void {
    this.closing = true;
    this.lease?.close();
    this.layouts.clear();
  }
}

/** Whether a PostgreSQL error says the connection itself was lost (not that the statement failed). */
function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const message = (err as { message?: unknown })?.message;
  return typeof message === 'string' && /^Connection terminated|not queryable|ECONNRESET|EPIPE/.test(message);
}
