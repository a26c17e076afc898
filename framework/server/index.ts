/**
 * The server: `stryke start`'s cluster primary and its workers, `stryke dev`'s watcher, and `stryke build`'s
 * dist. The cluster primary runs no app code, so the worker, dev and dist modules (which load the app, the
 * TypeScript compiler or Handlebars) load on first use (support/lazy.ts).
 */
import { lazyModule } from '../support';
import type * as Dev from './dev';
import type * as Dist from './dist';
import type * as Worker from './worker';
import type * as Bundle from './bundle';
import type * as Single from './single';
import type * as BootError from './boot-error';

export { runPrimary, defaultWorkerCount, crashBackoff, BOOT_FAILED, CRASH_WINDOW_MS, type ClusterOptions } from './primary';
export { DRAIN_GRACE_MS, drainAndClose } from './drain';
export type { BootProblem } from './boot-error';
// A boot's problem page (with the assets' live-reload script) is a worker's and `stryke dev`'s, never the primary's.
export const { formatProblem, problemFrom, problemPage } = lazyModule(() => require('./boot-error') as typeof BootError);
export type { ServeOptions } from './worker';
export type { DevOptions } from './dev';
export type { DistStage, DistResult, StageRunner } from './dist';

export const { serve } = lazyModule(() => require('./worker') as typeof Worker);
export const { runDev } = lazyModule(() => require('./dev') as typeof Dev);
export const { buildDist } = lazyModule(() => require('./dist') as typeof Dist);
export const { bundleBuild } = lazyModule(() => require('./bundle') as typeof Bundle);
export const { buildSingle } = lazyModule(() => require('./single') as typeof Single);
export { isDist } from './dist-info';
export { SERVER_BUNDLE } from './bundle-name';
/** The app folders `stryke dev` watches (loads the dev module). */
export function watchedFolders(): readonly string[] {
  return (require('./dev') as typeof Dev).WATCHED;
}
