export { createApp, type App, type CreateAppOptions } from './create-app';
export type { JobWorkersStart } from './jobs';
export { paths } from './paths';
export { AppErrors } from './errors';
export { loadAppCode, buildDirOf } from './loader';
