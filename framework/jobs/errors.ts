import { defineError } from '../support';

export const JobsErrors = {
  BAD_URL: defineError('STRYKE_E_JOBS_BAD_URL', 'Cannot pick a jobs backend for "%s": use sqlite:<file>, mysql://, mariadb://, postgres:// or redis://.'),
  BAD_CONNECTION: defineError('STRYKE_E_JOBS_BAD_CONNECTION', 'The %s jobs backend needs a connection URL or options object as `connection`, got %s.'),
  BAD_CONFIG: defineError('STRYKE_E_JOBS_BAD_CONFIG', 'config/jobs.toml: %s'),
  NOT_A_JOB: defineError('STRYKE_E_JOBS_NOT_A_JOB', '%s is not a job class: decorate it with @Job({ queue }) and give it an async perform(...args) method.'),
  UNKNOWN_JOB: defineError('STRYKE_E_JOBS_UNKNOWN_JOB', 'Queue "%s" received a job named "%s" but no @Job class has that name in this process: load the app code (app/jobs/) in the worker.'),
  FINISH_RETRY: defineError('STRYKE_E_JOBS_FINISH_RETRY', 'Could not record finished job(s) %s of queue "%s" (%s): writing again on a fresh connection in %s ms (attempt %s).', 503),
  NOT_STARTED: defineError('STRYKE_E_JOBS_NOT_STARTED', 'Jobs are not configured in this process: boot the app (createApp) or call configureJobs({ backend, connection }) before %s.'),
  DASHBOARD_CONFIG: defineError('STRYKE_E_JOBS_DASHBOARD_CONFIG', 'config/jobs.toml [dashboard]: %s.'),
  DASHBOARD_UNKNOWN: defineError('STRYKE_E_JOBS_DASHBOARD_UNKNOWN', 'No %s here.', 404),
  DASHBOARD_AUTH: defineError('STRYKE_E_JOBS_DASHBOARD_AUTH', 'The job dashboard needs %s.', 401),
  DASHBOARD_FORBIDDEN: defineError('STRYKE_E_JOBS_DASHBOARD_FORBIDDEN', 'The job dashboard is for admins only: %s.', 403),
  DASHBOARD_CSRF: defineError('STRYKE_E_JOBS_DASHBOARD_CSRF', 'This form is stale or came from another site: reload the dashboard and try again.', 422),
};
