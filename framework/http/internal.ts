/**
 * HTTP's framework-only surface (not a package subpath; docs/architecture.md, "Concerns and their surfaces"): what
 * the app's boot, observability, storage and the worker need. The server itself (./server.ts, fastify and the
 * storage routes) loads on first use: `buildServer` is what the app's boot calls.
 */
import { lazyModule } from '../support';
import type * as Server from './server';

export { endOpenStreams } from './sse';
export { RUNTIME, type AppRuntime } from './runtime';
export { bodySender, compressionSettings } from './compress';
export { listenRedirect, tlsSettings } from './tls';
export { countStatementsOf, readableLogStream } from './request-log';
export { RETRY_AFTER_SECONDS } from './error-pages';
export {
  currentRequestId, currentScope, REQUEST_SCOPE, requestScope, setRequestScope, runInRequest, runInScope, keepServingThroughStrayErrors, type RequestScope,
} from './request-context';
export { secureHeaderSets, writeBaseHeaders, type SecureHeaders, type HeaderSettings } from './headers';

export const { buildServer, publicDirOf } = lazyModule(() => require('./server') as typeof Server);
