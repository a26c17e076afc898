/**
 * Channels' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"):
 * the cluster primary relays the workers' broadcasts (`relayChannels`, loading nothing else of channels); the app's
 * boot prepares the channel server and the fabric and serves the browser client; an SSE stream follows streams.
 * Those load on first call, so the primary's import stays light.
 */
import { lazyModule } from '../support';
import type * as Boot from './boot';
import type * as Client from './client';
import type * as Sse from './sse';

export { relayChannels } from './cluster';
export type { ChannelsBoot } from './boot';
export const { prepareChannels, startFabric } = lazyModule(() => require('./boot') as typeof Boot);
export const { registerClient } = lazyModule(() => require('./client') as typeof Client);
export const { followStreams } = lazyModule(() => require('./sse') as typeof Sse);
