/**
 * `node --require build/benchmarks/http/register-recording-tracer.js ...`: registers the recording provider
 * (recording-tracer.ts) before the app boots, as an app's `--require ./tracing.js` registers its SDK. The
 * `start-tracing` kind of instructions.ts passes it to `stryke start` (primary and worker) through NODE_OPTIONS.
 */
import { trace } from '@opentelemetry/api';
import { RecordingProvider } from './recording-tracer';

trace.setGlobalTracerProvider(new RecordingProvider());
