import { lazyModule } from '../support';
import type * as CreateApp from './create-app';

/** Boots an app (./create-app.ts), loaded on first call: the command line reads routes and paths without it. */
export const { createApp } = lazyModule(() => require('./create-app') as typeof CreateApp);
export type { App, CreateAppOptions } from './create-app';
export type { JobWorkersStart } from './boot/jobs';
export { paths } from './paths';
export { AppErrors } from './errors';
export { loadAppCode, buildDirOf } from './loader';
export { appRoutes } from './routes';
