/**
 * Whether an error says the database cannot be reached or did not answer in time (the server down, a network
 * cut, a connect, acquire or statement timeout, the database dropped or renamed), as opposed to a statement that failed.
 * The request that hit it is answered 503 with `Retry-After`, not 500 (see http/error-pages.ts), and `/ready`
 * reports it.
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
const MYSQL = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_BAD_DB_ERROR', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);
const SQLITE = /^SQLITE_(CANTOPEN|BUSY|IOERR|READONLY_DBMOVED|NOTADB)/;
// framework/db's own: no pooled connection came free in time, the pool was closed.
const DB = new Set(['STRYKE_E_DB_ACQUIRE_TIMEOUT', 'STRYKE_E_DB_CLOSED']);
// PostgreSQL SQLSTATEs: connection exceptions (class 08), shutdowns and "cannot connect now" (57P0x), a
// statement cancelled by statement_timeout (57014), too many connections (53300), no such database (3D000).
const POSTGRES = /^(08\d{3}|57P0[1-3]|57014|53300|3D000)$/;
// node-postgres reports its own timeouts and a lost connection by message only.
// ('timeout expired': a connect past connect_timeout.)
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: any = err, depth = 0; e && depth < 3; e = e.driverError ?? e.cause, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK.has(code) || DB.has(code) || MYSQL.has(code) || SQLITE.test(code) || POSTGRES.test(code)) return true;
    if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return true;
  }
  return false;
}
