/**
 * Channels' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"):
 * the cluster primary relays the workers' broadcasts (`relayChannels`, loading nothing else of channels); the app's
 * boot prepares the channel server and the fabric and serves the browser client; an SSE stream follows streams.
 * Those load on first call, so the primary's import stays this file and ./cluster.ts.
 */
export { relayChannels } from './cluster';
export type { ChannelsBoot } from './boot';

type Boot = typeof import('./boot');

export function prepareChannels(...args: Parameters<Boot['prepareChannels']>): ReturnType<Boot['prepareChannels']> {
  return (require('./boot') as Boot).prepareChannels(...args);
}

export function startFabric(...args: Parameters<Boot['startFabric']>): ReturnType<Boot['startFabric']> {
  return (require('./boot') as Boot).startFabric(...args);
}

export function registerClient(...args: Parameters<typeof import('./client').registerClient>): ReturnType<typeof import('./client').registerClient> {
  return (require('./client') as typeof import('./client')).registerClient(...args);
}

export function followStreams(...args: Parameters<typeof import('./sse').followStreams>): ReturnType<typeof import('./sse').followStreams> {
  return (require('./sse') as typeof import('./sse')).followStreams(...args);
}
