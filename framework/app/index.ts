export { createApp, type App, type CreateAppOptions } from './create-app';
export { paths } from './paths';
export { AppErrors } from './errors';
export { loadAppCode, buildDirOf } from './loader';
