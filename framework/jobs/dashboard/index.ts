/** The job dashboard at /stryke/jobs (docs/jobs.md, "Job dashboard"). */
export { mountJobsDashboard, DASHBOARD_PATH, type DashboardOptions } from './mount';
export { readDashboardConfig, type DashboardConfig } from './config';
export { throughputSvg } from './chart';
