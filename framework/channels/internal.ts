/**
 * Channels' framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"):
 * the cluster primary relays the workers' broadcasts, loading nothing else of channels.
 */
export { relayChannels } from './cluster';
