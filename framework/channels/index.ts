/**
 * Channels: WebSocket realtime as classes (`@Channel`, `ActionChannel`), streams and presence across
 * workers and machines (`broadcastTo`, `presence`), resume, and the browser client.
 */
export { Channel, Action, type ChannelOptions } from './decorators';
export { ActionChannel, type JoinOptions } from './channel';
export { broadcastTo, presence, fabric, Fabric, type Subscriber } from './fabric';
export type { Member as PresenceMember } from './presence';
export { setChannelUserResolver, ChannelServer, type CurrentUserResolver } from './server';
export { channelSettings, type ChannelSettings, type AdapterName } from './config';
export { prepareChannels, startFabric, transportFor, type ChannelsBoot } from './boot';
export { clientAsset, channelsClientPath, registerClient } from './client';
export { redisTransport } from './redis';
export { postgresTransport } from './postgres';
export { followStreams } from './sse';
export type { Envelope, Transport } from './transport';
export type { BroadcastMessage } from './protocol';
export { ChannelErrors } from './errors';
