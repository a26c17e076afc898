import { defineError } from '../support';

export const JobsErrors = {
  BAD_URL: defineError('STRYKE_E_JOBS_BAD_URL', 'Cannot pick a jobs backend for "%s": use sqlite:<file>, mysql://, mariadb://, postgres:// or redis://.'),
  BAD_CONNECTION: defineError('STRYKE_E_JOBS_BAD_CONNECTION', 'The %s jobs backend needs a connection URL or options object as `connection`, got %s.'),
  BAD_CONFIG: defineError('STRYKE_E_JOBS_BAD_CONFIG', 'config/jobs.toml: %s'),
  NOT_A_JOB: defineError('STRYKE_E_JOBS_NOT_A_JOB', '%s is not a job class: decorate it with @Job({ queue }) and give it an async perform(...args) method.'),
  DUPLICATE_NAME: defineError('STRYKE_E_JOBS_DUPLICATE_NAME', 'Two @Job classes are named %s, at %s and at %s: a worker finds a job\'s class by its name, so each name must be one class. Rename one of them.'),
  NO_CONTAINER: defineError('STRYKE_E_JOBS_NO_CONTAINER', '%s takes constructor parameters but this process has no app container to build them from: boot the app (createApp), or pass { build, container } to startJobs.'),
  UNKNOWN_STATE: defineError('STRYKE_E_JOBS_UNKNOWN_STATE', 'Unknown job state: %s. Use one of waiting (wait), prioritized, delayed, active, completed, failed, waiting-children, paused.'),
  NOT_PAUSED: defineError('STRYKE_E_JOBS_NOT_PAUSED', 'Cannot obliterate non-paused queue "%s": pause it first (`await queue.pause()`); `stryke jobs purge --all` does both.'),
  ACTIVE_JOBS: defineError('STRYKE_E_JOBS_ACTIVE_JOBS', 'Cannot obliterate queue with active jobs ("%s" has %s running): let them finish, or pass { force: true } to obliterate it anyway.'),
  UNSUPPORTED: defineError('STRYKE_E_JOBS_UNSUPPORTED', 'The SQL job queue does not support %s: BullMQ asked for something this version of stryke does not implement. Use the redis backend for it, or report it.'),
  UNKNOWN_JOB: defineError('STRYKE_E_JOBS_UNKNOWN_JOB', 'Queue "%s" received a job named "%s" but no @Job class has that name in this process: load the app code (app/jobs/) in the worker.'),
  FINISH_RETRY: defineError('STRYKE_E_JOBS_FINISH_RETRY', 'Could not record finished job(s) %s of queue "%s" (%s): writing again on a fresh connection in %s ms (attempt %s).', 503),
  NOT_STARTED: defineError('STRYKE_E_JOBS_NOT_STARTED', 'Jobs are not configured in this process: boot the app (createApp) or call configureJobs({ backend, connection }) before %s.'),
  DASHBOARD_CONFIG: defineError('STRYKE_E_JOBS_DASHBOARD_CONFIG', 'config/jobs.toml [dashboard]: %s.'),
  DASHBOARD_UNKNOWN: defineError('STRYKE_E_JOBS_DASHBOARD_UNKNOWN', 'No %s here.', 404),
  DASHBOARD_AUTH: defineError('STRYKE_E_JOBS_DASHBOARD_AUTH', 'The job dashboard needs %s.', 401),
  DASHBOARD_FORBIDDEN: defineError('STRYKE_E_JOBS_DASHBOARD_FORBIDDEN', 'The job dashboard is for admins only: %s.', 403),
  DASHBOARD_CSRF: defineError('STRYKE_E_JOBS_DASHBOARD_CSRF', 'This form is stale or came from another site: reload the dashboard and try again.', 422),
};
