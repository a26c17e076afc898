// The package's subpaths to the compiler (node16 resolution, through package.json "exports"): each concern's
// public surface imports from `stryke/<concern>` with its types, is the root's same declaration, and its
// internals do not (test/architecture/exports.test.ts checks the same at run time).
import * as Root from 'stryke';
import { AllowAnonymous, Authenticator, RequireAuth, forbidden, hashPassword, newSecret, type AuthContext, type UserResolver } from 'stryke/auth';
import { Cache, MemoryStore, cache, type CacheOptions } from 'stryke/cache';
import { Action, ActionChannel, Channel, broadcastTo, presence, setChannelUserResolver, type PresenceMember } from 'stryke/channels';
import { Inject, Service } from 'stryke/di';
import { ActionController, Flash, Params, SharedPoll, SseStream, type Middleware, type ParamValue } from 'stryke/http';
import { RateLimit, setRateLimitUserResolver, type RateLimitOptions } from 'stryke/rate-limit';
import { Controller, Get, Resources, routes, type PathHelpers, type RouteDef } from 'stryke/routing';
import { ViewEngine, ViewErrors, type RenderContext } from 'stryke/views';

@Service()
export class Clock {
  now(): number {
    return Date.now();
  }
}

@Controller('/rooms')
@RequireAuth()
export class RoomsController extends ActionController {
  constructor(@Inject(Clock) private readonly clock: Clock) {
    super();
  }

  @Get('/')
  @AllowAnonymous()
  @RateLimit({ max: 10, per: '1m' })
  async index(): Promise<void> {
    const options: CacheOptions = { ttl: 60_000 };
    const rooms = await cache.fetch('rooms', options, () => [this.clock.now()]);
    await broadcastTo('rooms', 'listed', { rooms });
    const members: PresenceMember[] = presence('rooms');
    const id: ParamValue = this.params.id;
    if (!id) throw forbidden();
    void members;
    // @ts-expect-error: fetch's value is typed by its function
    const wrong: string = await cache.fetch('n', () => 1);
    void wrong;
  }
}

@Resources('/lobbies')
export class LobbiesController extends ActionController {}

@Channel('/rooms/:id')
export class RoomChannel extends ActionChannel {
  @Action()
  speak(data: unknown): unknown {
    return data;
  }
}

@Authenticator({ signInPath: '/session/new' })
export class Auth implements UserResolver {
  async resolve(ctx: AuthContext): Promise<unknown> {
    return ctx;
  }
}

// A subpath's export is the root's own declaration.
const same: typeof Root.ActionController = ActionController;
const sameCache: typeof Root.cache = cache;
const sameChannel: typeof Root.Channel = Channel;
void same, sameCache, sameChannel;

export const used = [
  hashPassword, newSecret, Cache, MemoryStore, setChannelUserResolver, Flash, Params, SharedPoll, SseStream, setRateLimitUserResolver,
  routes, ViewEngine, ViewErrors,
];
export type Used = [Middleware, RateLimitOptions, PathHelpers, RouteDef, RenderContext];

// Internals are not exported by a subpath.
// @ts-expect-error: the route table is built by the app's boot (routing/internal.ts)
export { buildRouteTable } from 'stryke/routing';
// @ts-expect-error: the auth step is the pipeline's (auth/internal.ts)
export { authStep } from 'stryke/auth';
// @ts-expect-error: the fastify server is the app's boot's (http/internal.ts)
export { buildServer } from 'stryke/http';
// @ts-expect-error: the app's container is built at boot (di/internal.ts)
export { AppContainer } from 'stryke/di';
// @ts-expect-error: configured at boot (cache/internal.ts)
export { configureCache } from 'stryke/cache';
// @ts-expect-error: the channel server is prepared at boot (channels/internal.ts)
export { prepareChannels } from 'stryke/channels';
// @ts-expect-error: `stryke build`'s precompiled bundle (views/internal.ts)
export { compileSources } from 'stryke/views';
// @ts-expect-error: the app's boot builds the limits (rate-limit/internal.ts)
export { prepareRateLimits } from 'stryke/rate-limit';
// @ts-expect-error: internal.ts is no subpath
export { bindModels } from 'stryke/orm/internal';
// @ts-expect-error: the command line is no subpath
export { program } from 'stryke/cli';
