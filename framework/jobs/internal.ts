/**
 * The jobs layer's framework-only surface: the app's boot starts deferred workers and mounts the dashboard;
 * mailers make sure their delivery job's queue runs. Not a package subpath (`stryke/jobs` is ./index.ts); see
 * docs/architecture.md, "Concerns and their surfaces".
 */
export { SqlQueueBackend } from './sql/backend';
export { ensureJobs, startConfiguredWorkers } from './workers';
export { mountJobsDashboard, readDashboardConfig, DASHBOARD_PATH } from './dashboard';
