/**
 * What a statement gives back (rows, affected count, insert id) and, for rows read as arrays, the layout of
 * their columns: the shapes every database's runner returns to the connection (connection.ts).
 */
import type { pgTextReader } from './pg-text';

/**
 * The columns of rows read as arrays: their names, and for PostgreSQL (whose values then come as the
 * text the server sent) how to read each column's text into a field: its type, the driver's parser for
 * it, and the function that composes the conversion for a field (pg-text.ts).
 */
export type ColumnLayout = readonly string[] & {
  text?: {
    oids: readonly number[];
    parsers: readonly ((text: string) => unknown)[];
    reader: typeof pgTextReader;
  };
};

export interface QueryOutcome {
  rows: Record<string, any>[];
  affected: number;
  insertId?: number | string;
  /**
   * Set when the rows came as arrays of values (asked for with `execute(sql, binds, true)`, and given by
   * SQLite and PostgreSQL outside a transaction): the result's column names, the same array for every run
   * of one statement. PostgreSQL's rows are then arrays of the values' text, to be read as `columns.text` says.
   */
  columns?: ColumnLayout;
}

/** The most entries a cache kept per SQL text holds (SQLite's statements, PostgreSQL's layouts) before it is emptied. */
export const STATEMENT_CACHE_LIMIT = 500;
