/**
 * HTTP (`stryke/http`): controllers and their params, flash, server-sent events, shared polls and middleware. The
 * request pipeline, the fastify server it runs in (loaded on first use), secure headers, compression and the request
 * scope are what the app's boot, observability, storage and the worker need: ./internal.ts.
 */
export { ActionController, type RenderOptions, type RedirectOptions } from './controller';
export { Params, type ParamValue, type UploadedFile } from './params';
export { Flash } from './flash';
export { SharedPoll } from './shared-poll';
export { SseStream, type SseEvent } from './sse';
export type { Middleware } from './pipeline';
export { HttpErrors } from './errors';
