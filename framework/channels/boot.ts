import type { FastifyBaseLogger } from 'fastify';
import type { AppContainer } from '../di/internal';
import { registry, type Constructor } from '../registry';
import type { RouteDef } from '../routing';
import type { SessionCodec } from '../security';
import type { ActionChannel } from './channel';
import { clusterTransport } from './cluster';
import { channelSettings, type ChannelSettings } from './config';
import type { ChannelRoute } from './connection';
import { fabric } from './fabric';
import { postgresTransport } from './postgres';
import { redisTransport } from './redis';
import { ChannelServer, type CurrentUserResolver } from './server';
import type { Transport } from './transport';

export interface ChannelsBoot {
  settings: ChannelSettings;
  server: ChannelServer;
  routes: (ChannelRoute & { host?: string })[];
}

/** The `@Action()` names of a channel class and of its ancestors (each declared explicitly). */
function actionsOf(target: Constructor): Set<string> {
  const out = new Set<string>();
  for (let c: any = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const a of registry.channels.get(c)?.actions ?? []) out.add(a);
  }
  return out;
}

/**
 * Prepares an app's channels at boot: config/channels.toml, one factory per channel class (constructor
 * injection through the container, checked now), and the server that will own the sockets.
 */
export function prepareChannels(options: {
  config: Record<string, any>;
  routes: RouteDef[];
  container: AppContainer;
  env: string;
  sessions: SessionCodec;
  sessionCookie: string;
  appUrl?: string;
  database?: { adapter?: string; url?: string };
  /** The app's way from a session to its signed-in user (channels' `this.currentUser`). */
  currentUser?: CurrentUserResolver;
}): ChannelsBoot {
  const settings = channelSettings(options.config.channels, options.database);
  fabric.buffer.settings = { ...fabric.buffer.settings, perStream: settings.resumeBuffer, windowMs: settings.resumeWindowMs };
  const routes: ChannelsBoot['routes'] = [];
  for (const r of options.routes) {
    if (r.kind !== 'ws') continue;
    const Ctor = r.controller as Constructor<ActionChannel>;
    const args = options.container.argumentsFor(Ctor);
    routes.push({
      path: r.path,
      host: r.constraints?.host,
      name: Ctor.name,
      make: args.length ? () => new Ctor(...args) : () => new Ctor(),
      actions: actionsOf(Ctor),
    });
  }
  const server = new ChannelServer({ settings, env: options.env, sessions: options.sessions, sessionCookie: options.sessionCookie, appUrl: options.appUrl, currentUser: options.currentUser });
  return { settings, server, routes };
}

/** The transport config/channels.toml asks for (cluster IPC under `stryke start`, none in a lone process). */
export function transportFor(settings: ChannelSettings, log: FastifyBaseLogger | undefined): Transport | undefined {
  const say = (level: 'warn' | 'error', message: string, err?: unknown) => (log ? log[level]({ err }, message) : undefined);
  if (settings.adapter === 'redis') return redisTransport(settings, say);
  if (settings.adapter === 'postgres') return postgresTransport(settings, say);
  return clusterTransport();
}

/** How many apps in this process use the fabric's transport (tests boot several). */
let users = 0;

/** Connects this process to the others (the adapter), once per process however many apps boot. */
export async function startFabric(settings: ChannelSettings, log: FastifyBaseLogger | undefined): Promise<() => Promise<void>> {
  users++;
  if (users === 1) {
    if (log) fabric.log = (level, message, err) => log[level]({ err }, message);
    await fabric.use(transportFor(settings, log));
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    users--;
    if (users === 0) await fabric.use(undefined);
  };
}
