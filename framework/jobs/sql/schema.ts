import type { SqlDialect } from './driver';

/**
 * The jobs schema, in the app's own database. One `stryke_jobs` row per job keyed by (queue, id) with a
 * `state` column; `seq` orders waiting jobs (negative for LIFO); times are epoch milliseconds. The
 * statements are idempotent, so the first backend to connect creates the schema and the others find it.
 */
export function schemaStatements(dialect: SqlDialect): string[] {
  const my = dialect === 'mysql';
  const key = my ? 'VARCHAR(191)' : 'TEXT';
  const text = my ? 'LONGTEXT' : 'TEXT';
  const suffix = my ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : '';
  const jobIndexes = [
    ['stryke_jobs_claim', 'queue, state, priority, seq'],
    ['stryke_jobs_due', 'queue, state, process_at'],
    ['stryke_jobs_finished', 'queue, state, finished_at'],
    ['stryke_jobs_locks', 'queue, state, locked_until'],
  ];
  const inline = (list: string[][]) => (my ? list.map(([n, c]) => `,\n  KEY ${n} (${c})`).join('') : '');
  const separate = (table: string, list: string[][]) =>
    my ? [] : list.map(([n, c]) => `CREATE INDEX IF NOT EXISTS ${n} ON ${table} (${c})`);
  const eventId = my ? 'BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  return [
    `CREATE TABLE IF NOT EXISTS stryke_jobs (
  queue ${key} NOT NULL,
  id ${key} NOT NULL,
  seq BIGINT NOT NULL,
  name ${my ? 'VARCHAR(255)' : 'TEXT'} NOT NULL,
  state VARCHAR(20) NOT NULL,
  data ${text} NOT NULL,
  opts ${text} NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  delay_ms BIGINT NOT NULL DEFAULT 0,
  attempts_made INTEGER NOT NULL DEFAULT 0,
  attempts_started INTEGER NOT NULL DEFAULT 0,
  progress ${text},
  return_value ${text},
  failed_reason ${text},
  stacktrace ${text},
  deferred_failure ${text},
  processed_by ${my ? 'VARCHAR(255)' : 'TEXT'},
  added_at BIGINT NOT NULL,
  process_at BIGINT,
  processed_at BIGINT,
  finished_at BIGINT,
  lock_token ${my ? 'VARCHAR(255)' : 'TEXT'},
  locked_until BIGINT,
  stalled_count INTEGER NOT NULL DEFAULT 0,
  dedup_id ${key},
  scheduler_id ${key},
  PRIMARY KEY (queue, id)${inline(jobIndexes)}
)${suffix}`,
    ...separate('stryke_jobs', jobIndexes),
    `CREATE TABLE IF NOT EXISTS stryke_job_logs (
  queue ${key} NOT NULL,
  job_id ${key} NOT NULL,
  idx BIGINT NOT NULL,
  line ${text} NOT NULL,
  PRIMARY KEY (queue, job_id, idx)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_events (
  id ${eventId},
  queue ${key} NOT NULL,
  event VARCHAR(64) NOT NULL,
  data ${text} NOT NULL${inline([['stryke_job_events_queue', 'queue, id']])}
)${suffix}`,
    ...separate('stryke_job_events', [['stryke_job_events_queue', 'queue, id']]),
    `CREATE TABLE IF NOT EXISTS stryke_job_meta (
  queue ${key} NOT NULL,
  field ${key} NOT NULL,
  value ${text},
  PRIMARY KEY (queue, field)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_counters (
  queue ${key} NOT NULL,
  name VARCHAR(32) NOT NULL,
  value BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (queue, name)
)${suffix}`,
    ...(my ? [`CREATE TABLE IF NOT EXISTS stryke_job_seq (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY
)${suffix}`] : []),
    `CREATE TABLE IF NOT EXISTS stryke_job_dedup (
  queue ${key} NOT NULL,
  dedup_id ${key} NOT NULL,
  job_id ${key} NOT NULL,
  expire_at BIGINT,
  PRIMARY KEY (queue, dedup_id)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_dedup_next (
  queue ${key} NOT NULL,
  dedup_id ${key} NOT NULL,
  payload ${text} NOT NULL,
  PRIMARY KEY (queue, dedup_id)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_deps (
  parent_queue ${key} NOT NULL,
  parent_id ${key} NOT NULL,
  child_queue ${key} NOT NULL,
  child_id ${key} NOT NULL,
  status VARCHAR(16) NOT NULL,
  value ${text},
  PRIMARY KEY (parent_queue, parent_id, child_queue, child_id)${inline([['stryke_job_deps_child', 'child_queue, child_id']])}
)${suffix}`,
    ...separate('stryke_job_deps', [['stryke_job_deps_child', 'child_queue, child_id']]),
    `CREATE TABLE IF NOT EXISTS stryke_job_clients (
  queue ${key} NOT NULL,
  client_id VARCHAR(64) NOT NULL,
  name ${my ? 'VARCHAR(512)' : 'TEXT'} NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (queue, client_id)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_metrics (
  queue ${key} NOT NULL,
  kind VARCHAR(16) NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  prev_ts BIGINT,
  prev_count BIGINT NOT NULL DEFAULT 0,
  data ${text} NOT NULL,
  PRIMARY KEY (queue, kind)
)${suffix}`,
    `CREATE TABLE IF NOT EXISTS stryke_job_schedulers (
  queue ${key} NOT NULL,
  scheduler_id ${key} NOT NULL,
  name ${my ? 'VARCHAR(255)' : 'TEXT'},
  next_run BIGINT,
  pattern ${my ? 'VARCHAR(255)' : 'TEXT'},
  every_ms BIGINT,
  tz ${my ? 'VARCHAR(64)' : 'TEXT'},
  start_date BIGINT,
  end_date BIGINT,
  limit_count INTEGER,
  iteration_count INTEGER NOT NULL DEFAULT 1,
  offset_ms BIGINT,
  template_data ${text},
  template_opts ${text},
  PRIMARY KEY (queue, scheduler_id)
)${suffix}`,
  ];
}

/** Every table of the jobs schema (for `stryke jobs purge --all` and tests). */
export const JOB_TABLES = ['stryke_jobs', 'stryke_job_logs', 'stryke_job_events', 'stryke_job_meta', 'stryke_job_counters', 'stryke_job_dedup', 'stryke_job_dedup_next', 'stryke_job_deps', 'stryke_job_clients', 'stryke_job_metrics', 'stryke_job_schedulers'];
