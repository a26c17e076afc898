/**
 * Channels (`stryke/channels`): WebSocket realtime as classes (`@Channel`, `ActionChannel`), streams and presence
 * across workers and machines (`broadcastTo`, `presence`), and the browser client's path. What the app's boot and
 * the cluster primary need (the fabric, the transports, the server) is in ./internal.ts.
 */
export { Channel, Action, type ChannelOptions } from './decorators';
export { ActionChannel, type JoinOptions } from './channel';
export { broadcastTo, presence } from './fabric';
export type { Member as PresenceMember } from './presence';
export { setChannelUserResolver, type CurrentUserResolver } from './server';
export { channelsClientPath } from './client';
export type { BroadcastMessage } from './protocol';
export { ChannelErrors } from './errors';
