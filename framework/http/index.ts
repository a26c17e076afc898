/**
 * HTTP: controllers and their params, flash, sessions' cookies, secure headers, server-sent events, the request
 * pipeline and the fastify server it runs in. The server itself (./server.ts, fastify and the storage routes) loads
 * on first use: `buildServer` is what the app's boot calls.
 */
import { lazyModule } from '../support';
import type * as Server from './server';

export { ActionController, type RenderOptions, type RedirectOptions } from './controller';
export { Params, type ParamValue, type UploadedFile } from './params';
export { Flash } from './flash';
export { SharedPoll } from './shared-poll';
export { SseStream, endOpenStreams, type SseEvent } from './sse';
export type { Middleware } from './pipeline';
export { RUNTIME, type AppRuntime } from './runtime';
export { bodySender, compressionSettings } from './compress';
export { listenRedirect, tlsSettings } from './tls';
export { countStatementsOf, readableLogStream } from './request-log';
export { RETRY_AFTER_SECONDS } from './error-pages';
export {
  currentRequestId, currentScope, REQUEST_SCOPE, requestScope, setRequestScope, runInRequest, runInScope, keepServingThroughStrayErrors, type RequestScope,
} from './request-context';
export { secureHeaderSets, writeBaseHeaders, type SecureHeaders, type HeaderSettings } from './headers';
export { HttpErrors } from './errors';

export const { buildServer, publicDirOf } = lazyModule(() => require('./server') as typeof Server);
