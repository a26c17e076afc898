/**
 * What a statement gives back (rows, affected count, insert id) and, for rows read as arrays, the layout of
 * their columns: the shapes every database's runner returns to the database (database.ts).
 */
/**
 * The columns of rows read as arrays: their names, and for PostgreSQL (whose values then come as the
 * text the server sent) how to read each column's text: its type and the driver's parser for it (the
 * model layer composes each field's conversion from them: orm/pg-text.ts).
 */
export type ColumnLayout = readonly string[] & {
  text?: {
    oids: readonly number[];
    parsers: readonly ((text: string) => unknown)[];
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
